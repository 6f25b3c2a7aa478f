using System.Diagnostics;
using Switchboard.Core.Events;

namespace Switchboard.Server.Live;

// The messages of the projection: committed events to apply and fan out, what holds the fan-out back, its observers.

/// <summary>Events from one commit, with the <see cref="TimeProvider.GetTimestamp"/> of their hand-over.</summary>
internal sealed record CommitMessage(IReadOnlyList<EventRecord> Events, long CommittedAt) : LiveMessage
{
    /// <summary>
    /// The span that committed these events (<c>switchboard.commit</c>), when the commit hands them over in its own flow
    /// (the SQLite store does); default for events read from another node's commits. The fan-out span links to it.
    /// </summary>
    public ActivityContext CommitContext { get; init; } = Activity.Current?.Context ?? default;
}

/// <summary>Attaches an observer's <see cref="LiveFeed"/> and answers the state it starts from.</summary>
internal sealed record ObserveMessage(LiveFeed Feed) : LiveRequest<ObservedState>;

/// <summary>The paused fan-out's recheck is due: have enough backlogged connections drained? One instance.</summary>
internal sealed record PacerTick : LiveMessage
{
    public static PacerTick Instance { get; } = new();
}

/// <summary>An observer's full feed has room again: the fan-out may go on. One instance.</summary>
internal sealed record FeedRoomTick : LiveMessage
{
    public static FeedRoomTick Instance { get; } = new();
}

/// <summary>
/// Test hook: the next dispatched event not yet claimed by an earlier injected fault faults the loop, and recovery
/// waits for <see cref="Hold"/>. <see cref="Fired"/> completes when the fan-out throws.
/// </summary>
internal sealed record InjectFaultMessage(string Reason, Task Hold) : LiveMessage
{
    public TaskCompletionSource Fired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Fail(Exception error) => Fired.TrySetException(error);
}

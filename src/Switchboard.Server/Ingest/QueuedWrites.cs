using System.Diagnostics;
using Switchboard.Core.Writes;

namespace Switchboard.Server.Ingest;

/// <summary>One submitter's writes waiting in <see cref="GroupCommit"/>'s queue: taken by a commit, or withdrawn by its submitter.</summary>
internal sealed partial class QueuedWrites(IReadOnlyList<SessionWrite> writes)
{
    /// <summary>The submitter's span (its <c>switchboard.write</c>), which the commit's span continues or links to.</summary>
    public ActivityContext Context { get; } = Activity.Current?.Context ?? default;

    private const int Waiting = 0;
    private const int Taken = 1;
    private const int Withdrawn = 2;
    private int _state;

    public IReadOnlyList<SessionWrite> Writes { get; } = writes;

    /// <summary>Only telemetry (an OTLP request), which may wait to be merged with the next requests'.</summary>
    public bool IsTelemetry { get; } = writes.Count > 0 && writes.All(w => w is ApplyTelemetry);

    public TaskCompletionSource<IReadOnlyList<WriteResult>> Completion { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The loop takes it for a commit; false when it was withdrawn first.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Waiting) == Waiting;

    /// <summary>The submitter gives up on it; false when the loop took it first.</summary>
    public bool TryWithdraw() => Interlocked.CompareExchange(ref _state, Withdrawn, Waiting) == Waiting;
}

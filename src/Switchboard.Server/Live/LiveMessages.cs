using Switchboard.Events;
using Switchboard.Live.Fanout;
using Switchboard.Outbound;

namespace Switchboard.Live;

/// <summary>
/// What the live loop is asked to do. Everything that touches live state arrives as one of these, in one inbox, and is
/// handled on the loop; a reply completes asynchronously, so no caller's code ever runs on the loop.
/// </summary>
internal abstract class LiveMessage
{
    /// <summary>A short name for logs.</summary>
    public abstract string Kind { get; }

    /// <summary>Handling failed: tell whoever waits.</summary>
    public virtual void Fail(Exception error)
    {
    }

    protected static TaskCompletionSource<T> NewReply<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Events from one commit, with the <see cref="TimeProvider.GetTimestamp"/> of their hand-over.</summary>
internal sealed class CommitMessage(IReadOnlyList<EventRecord> events, long committedAt) : LiveMessage
{
    public IReadOnlyList<EventRecord> Events { get; } = events;

    public long CommittedAt { get; } = committedAt;

    /// <summary>Events of this batch already dispatched (a batch may be dispatched over several chunks).</summary>
    public int Dispatched { get; set; }

    public override string Kind => "commit";
}

/// <summary>Registers pending subscriptions at the current position, with a snapshot when <see cref="Snapshot"/> is set.</summary>
internal sealed class SubscribeMessage(SendQueue queue, IReadOnlyList<JoinRequest> requests, bool snapshot) : LiveMessage
{
    public SendQueue Queue { get; } = queue;

    public IReadOnlyList<JoinRequest> Requests { get; } = requests;

    public bool Snapshot { get; } = snapshot;

    public TaskCompletionSource<Subscribed> Reply { get; } = NewReply<Subscribed>();

    public override string Kind => "subscribe";

    public override void Fail(Exception error) => Reply.TrySetException(error);
}

/// <summary>The subscriptions registered for a join, the position they start after, and the replies (with snapshots).</summary>
internal sealed record Subscribed(Subscription[] Subscriptions, long Position, JoinResult[] Results);

/// <summary>A resume that cannot be replayed: snapshots for the pending subscriptions at the current position.</summary>
internal sealed class ResnapshotMessage(Subscription[] subs, IReadOnlyList<JoinRequest> requests, JoinResult[] results) : LiveMessage
{
    public Subscription[] Subscriptions { get; } = subs;

    public IReadOnlyList<JoinRequest> Requests { get; } = requests;

    public JoinResult[] Results { get; } = results;

    public TaskCompletionSource<long> Reply { get; } = NewReply<long>();

    public override string Kind => "resnapshot";

    public override void Fail(Exception error) => Reply.TrySetException(error);
}

/// <summary>The join is answered (and replayed): deliver what was held after <see cref="Position"/>, then live.</summary>
internal sealed class GoLiveMessage(Subscription[] subs, IReadOnlyList<JoinRequest> requests, long position, IReadOnlyList<OutboundFrame> replies)
    : LiveMessage
{
    /// <summary>Join replies to queue first (when there was no replay to put between them and the live frames).</summary>
    public IReadOnlyList<OutboundFrame> Replies { get; } = replies;

    public Subscription[] Subscriptions { get; } = subs;

    public IReadOnlyList<JoinRequest> Requests { get; } = requests;

    public long Position { get; } = position;

    public TaskCompletionSource<bool> Reply { get; } = NewReply<bool>();

    public override string Kind => "go-live";

    public override void Fail(Exception error) => Reply.TrySetException(error);
}

/// <summary>Stops delivery to subscriptions; safe for ones already gone.</summary>
internal sealed class LeaveMessage(IReadOnlyList<ISubscription> subs) : LiveMessage
{
    public IReadOnlyList<ISubscription> Subscriptions { get; } = subs;

    public override string Kind => "leave";
}

/// <summary>Completes with true once the loop has applied <see cref="Seq"/> (read-your-writes), or false once <see cref="Timeout"/> passed.</summary>
internal sealed class WaitAppliedMessage(long seq, long since, TimeSpan timeout) : LiveMessage
{
    public long Seq { get; } = seq;

    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> the wait started at.</summary>
    public long Since { get; } = since;

    /// <summary>How long after <see cref="Since"/> the waiter gives up (so none is parked forever).</summary>
    public TimeSpan Timeout { get; } = timeout;

    public TaskCompletionSource<bool> Reply { get; } = NewReply<bool>();

    public override string Kind => "wait-applied";

    public override void Fail(Exception error) => Reply.TrySetException(error);
}

/// <summary>A read of live state, run on the loop.</summary>
internal abstract class ReadMessage : LiveMessage
{
    public override string Kind => "read";

    public abstract void Run(LiveView view);
}

/// <inheritdoc />
internal sealed class ReadMessage<T>(Func<LiveView, T> read) : ReadMessage
{
    public TaskCompletionSource<T> Reply { get; } = NewReply<T>();

    public override void Run(LiveView view) => Reply.TrySetResult(read(view));

    public override void Fail(Exception error) => Reply.TrySetException(error);
}

/// <summary>A timer is due (the summary's, the pacer's recheck, or the next usage push). Carries nothing; one instance each.</summary>
internal sealed class TickMessage : LiveMessage
{
    public static TickMessage SummaryDue { get; } = new();

    public static TickMessage Pacer { get; } = new();

    public static TickMessage Usage { get; } = new();

    public override string Kind => "tick";
}

/// <summary>The other nodes' viewers changed (<see cref="Presence.PresenceSync"/>): their whole current set.</summary>
internal sealed class RemotePresenceMessage(IReadOnlyList<Storage.PresenceRecord> snapshot) : LiveMessage
{
    public IReadOnlyList<Storage.PresenceRecord> Snapshot { get; } = snapshot;

    public override string Kind => "remote presence";
}

/// <summary>The log moved under this node (events it never saw were committed): rebuild from the store.</summary>
internal sealed class ReloadMessage(string reason) : LiveMessage
{
    public string Reason { get; } = reason;

    public override string Kind => "reload";
}

/// <summary>
/// Test hook: the next dispatched event not yet claimed by an earlier injected fault faults the loop, and recovery
/// waits for <see cref="Hold"/>. <see cref="Fired"/> completes when the fan-out throws.
/// </summary>
internal sealed class InjectFaultMessage(string reason, Task hold) : LiveMessage
{
    public string Reason { get; } = reason;

    public Task Hold { get; } = hold;

    public TaskCompletionSource Fired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Fail(Exception error) => Fired.TrySetException(error);

    public override string Kind => "inject-fault";
}

/// <summary>Attaches the one <see cref="ILiveObserver"/> and answers the state it starts from.</summary>
internal sealed class ObserveMessage(ILiveObserver observer) : LiveMessage
{
    public ILiveObserver Observer { get; } = observer;

    public TaskCompletionSource<ObservedState> Reply { get; } = NewReply<ObservedState>();

    public override string Kind => "observe";

    public override void Fail(Exception error) => Reply.TrySetException(error);
}

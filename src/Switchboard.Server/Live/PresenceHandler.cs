using Switchboard.Core.Storage;
using Switchboard.Server.Live.Presence;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live;

/// <summary>The other nodes' viewers changed: take the latest snapshot <see cref="PresenceHandler"/> holds. One instance.</summary>
internal sealed record RemotePresenceTick : LiveMessage
{
    public static RemotePresenceTick Instance { get; } = new();
}

/// <summary>
/// Presence on <c>sessions</c> and <c>session:{id}</c>: this node's viewers (tracked when their join goes live, untracked
/// when they leave) and, behind a load balancer, the other nodes' (<see cref="PresenceSync"/>, on its own loop, hands
/// over their latest snapshot). Every change is broadcast to the topic's subscribers as a <c>presence_diff</c>; a joiner
/// gets the full <c>presence_state</c>.
/// </summary>
internal sealed class PresenceHandler : LiveHandler
{
    private readonly LiveState _state;
    private readonly LiveInbox _inbox;
    private readonly PresenceTracker _tracker;
    private readonly PresenceSync? _sync; // only for a store shared by several nodes
    private IReadOnlyList<PresenceRecord>? _remote; // the latest snapshot not yet taken by the loop

    public PresenceHandler(LiveState state, IPresenceExchange? exchange, LiveInbox inbox)
    {
        _state = state;
        _inbox = inbox;
        _tracker = new PresenceTracker(state.Time);
        _sync = exchange is null ? null : new PresenceSync(exchange, Deliver, state.Time, state.Logger, state.Loops);
    }

    public override void Register(MessageRoutes routes) => routes.On<RemotePresenceTick>(_ => ApplyRemote());

    public override void Started() => _sync?.Start();

    /// <summary>A subscription went live: others hear about its viewer; it gets the full state, which already includes itself.</summary>
    public void Joined(Subscription sub, Viewer? viewer)
    {
        if (sub.Route.Kind is not (TopicKind.AllSessions or TopicKind.OneSession))
        {
            return;
        }

        if (viewer is not null)
        {
            var (entry, diff, shared) = _tracker.Track(sub.Route.Topic, viewer);
            sub.Presence = entry;
            Broadcast(sub.Route, diff, except: sub);
            _sync?.Added(shared);
        }

        sub.Deliver(_tracker.State(sub.Route.Topic, sub.JoinRef), _state.Wake);
    }

    /// <summary>A subscription left: its viewer, if it had one, leaves the topic.</summary>
    public void Left(Subscription sub)
    {
        if (sub.Presence is not { } entry)
        {
            return;
        }

        sub.Presence = null;
        Broadcast(sub.Route, _tracker.Untrack(entry), except: null);
        _sync?.Removed(entry.Ref);
    }

    /// <summary>Every subscription is gone: forget every viewer; the other nodes' come back with the next snapshot.</summary>
    public override void Reset()
    {
        _tracker.Clear();
        _sync?.Reset();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_sync is not null)
        {
            await _sync.StopAsync();
        }
    }

    /// <summary>
    /// On the sync's loop: keeps the latest snapshot and, when none was waiting, asks the loop to take it; so the inbox
    /// holds at most one such message however long the loop is busy, and the loop applies only the newest state.
    /// </summary>
    private void Deliver(IReadOnlyList<PresenceRecord> snapshot)
    {
        if (Interlocked.Exchange(ref _remote, snapshot) is null)
        {
            _inbox.TryWrite(RemotePresenceTick.Instance);
        }
    }

    /// <summary>Brings the other nodes' viewers up to date and tells each topic's subscribers what changed.</summary>
    private void ApplyRemote()
    {
        if (Interlocked.Exchange(ref _remote, null) is not { } snapshot)
        {
            return;
        }

        foreach (var (topic, diff) in _tracker.ApplyRemote(snapshot))
        {
            if (TopicRoute.TryParse(topic, out var route))
            {
                Broadcast(route, diff, except: null);
            }
        }
    }

    private void Broadcast(TopicRoute route, OutboundFrame frame, Subscription? except)
    {
        var list = route.Kind == TopicKind.AllSessions ? _state.Topics.AllSessions : _state.Topics.ForSession(route.SessionId!);
        if (list is not null)
        {
            _state.Broadcast(list, frame, except);
        }

        // Those following the session's subtree watch it too: one presence per topic.
        if (route.Kind == TopicKind.OneSession && _state.Topics.ForSubtree(route.SessionId!) is { } subtree)
        {
            _state.Broadcast(subtree, frame, except);
        }
    }
}

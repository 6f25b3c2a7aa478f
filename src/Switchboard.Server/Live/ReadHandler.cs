namespace Switchboard.Server.Live;

/// <summary>
/// Reads of live state for the rest of the server (a session, the fleet summary and flag, subscription counts), and the
/// read-your-writes waiters: a wait for a position the loop has not applied yet is parked here and answered at the end
/// of the pass that applies it, or once its timeout passed. Parked waiters are bounded like the requests waiting in the
/// inbox (<see cref="SocketOptions.MaxQueuedRequests"/>): past that many, a wait is answered false at once, as if it had
/// timed out, and its caller goes on from the state as it stands.
/// </summary>
internal sealed class ReadHandler(LiveState state) : LiveHandler
{
    private readonly List<WaitAppliedMessage> _waiters = [];

    public override void Register(MessageRoutes routes)
    {
        routes.On<ReadSessionMessage>(m => m.Reply.TrySetResult(state.Projection.Get(m.Id)));
        routes.On<ReadFleetSummaryMessage>(m => m.Reply.TrySetResult(state.Projection.BuildFleetSummary(state.Time.GetUtcNow())));
        routes.On<ReadFleetPausedMessage>(m => m.Reply.TrySetResult(state.Projection.FleetPaused));
        routes.On<ReadSubscriptionCountMessage>(m => m.Reply.TrySetResult(state.Topics.Count));
        routes.On<ReadWatchersMessage>(m =>
            m.Reply.TrySetResult((state.Topics.ForSession(m.SessionId)?.Count ?? 0) + (state.Topics.ForSubtree(m.SessionId)?.Count ?? 0)));
        routes.On<WaitAppliedMessage>(Wait);
    }

    public override void EndPass(LivePass pass) => ReleaseWaiters();

    public override void Reloaded() => ReleaseWaiters();

    public override void Stopped(Exception stopping)
    {
        foreach (var waiter in _waiters)
        {
            waiter.Reply.TrySetResult(false);
        }

        _waiters.Clear();
    }

    private void Wait(WaitAppliedMessage m)
    {
        if (state.Projection.HeadSeq >= m.Seq)
        {
            m.Reply.TrySetResult(true);
        }
        else if (_waiters.Count >= state.Options.MaxQueuedRequests)
        {
            m.Reply.TrySetResult(false);
        }
        else
        {
            _waiters.Add(m);
        }
    }

    private void ReleaseWaiters()
    {
        if (_waiters.Count == 0)
        {
            return;
        }

        var head = state.Projection.HeadSeq;
        var now = state.Time.GetTimestamp();
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            var waiter = _waiters[i];
            if (waiter.Seq <= head || state.Time.GetElapsedTime(waiter.Since, now) >= waiter.Timeout)
            {
                waiter.Reply.TrySetResult(waiter.Seq <= head);
                _waiters.RemoveAt(i);
            }
        }
    }
}

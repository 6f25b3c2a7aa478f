namespace Switchboard.Live;

/// <summary>Consistent reads of the in-memory state for HTTP handlers (taken under the dispatcher's gate).</summary>
internal sealed class LiveState(EventDispatcher dispatcher, TimeProvider time)
{
    public Summary Summary()
    {
        lock (dispatcher.Gate)
        {
            return dispatcher.Projection.BuildSummary(time.GetUtcNow());
        }
    }

    public (string Epoch, long HeadSeq, bool FleetPaused) Head()
    {
        lock (dispatcher.Gate)
        {
            var p = dispatcher.Projection;
            return (p.Epoch, p.HeadSeq, p.FleetPaused);
        }
    }
}

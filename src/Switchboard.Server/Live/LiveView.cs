using Switchboard.Live.Fanout;
using Switchboard.Sessions;

namespace Switchboard.Live;

/// <summary>Read-only access to live state for a read run on the loop (the hub's own reads, <see cref="LiveHub.ReadSessionAsync"/> and the like). Valid only during that read.</summary>
internal readonly struct LiveView(SessionProjection projection, TopicRegistry topics, DateTimeOffset now)
{
    public long HeadSeq => projection.HeadSeq;

    public string Epoch => projection.Epoch;

    public bool FleetPaused => projection.FleetPaused;

    public DateTimeOffset Now => now;

    public FleetSummary FleetSummary() => projection.BuildFleetSummary(now);

    /// <summary>An active session, or null.</summary>
    public Session? Session(string id) => projection.Get(id);

    public int SubscriptionCount => topics.Count;

    /// <summary>Subscribers of <c>session:{id}</c>.</summary>
    public int Watchers(string sessionId) => topics.ForSession(sessionId)?.Count ?? 0;
}

namespace Switchboard.Events;

/// <summary>Event type names on the wire (requirements §2).</summary>
public static class EventTypes
{
    /// <summary>A session was created; data is <c>{session, active_count}</c>.</summary>
    public const string SessionCreated = "session_created";

    /// <summary>A session changed; data is <c>{changes, previous_state?, version, reason?}</c>.</summary>
    public const string SessionUpdated = "session_updated";

    /// <summary>A session ended; data is <c>{session, reason, active_count}</c>.</summary>
    public const string SessionTerminated = "session_terminated";

    /// <summary>The fleet pause flag changed; data is <c>{is_paused}</c>.</summary>
    public const string FleetUpdated = "fleet_updated";

    /// <summary>Derived counts and totals; never stored, carries <c>as_of_seq</c>.</summary>
    public const string Summary = "summary";
}

namespace Switchboard.Core.Events;

/// <summary>Event type names on the wire: the <c>type</c> of every event in the log, plus the derived <c>summary</c>.</summary>
public static class EventTypes
{
    /// <summary>A session was created; data is <c>{session, active_count, ancestors?, subtree_delta?}</c>.</summary>
    public const string SessionCreated = "session_created";

    /// <summary>A session changed; data is <c>{changes, previous_state?, version, reason?, ancestors?, subtree_delta?}</c>.</summary>
    public const string SessionUpdated = "session_updated";

    /// <summary>A session ended; data is <c>{session, reason, active_count, ancestors?, subtree_delta?}</c>.</summary>
    public const string SessionTerminated = "session_terminated";

    /// <summary>The fleet pause flag changed; data is <c>{is_paused}</c>.</summary>
    public const string FleetUpdated = "fleet_updated";

    /// <summary>An alert was raised; data is <c>{alert}</c>.</summary>
    public const string AlertRaised = "alert_raised";

    /// <summary>An alert's condition cleared; data is <c>{alert}</c> with <c>resolve_reason</c>.</summary>
    public const string AlertResolved = "alert_resolved";

    /// <summary>An operator acknowledged an alert; data is <c>{alert}</c> with <c>acknowledged_by</c> and <c>note</c>.</summary>
    public const string AlertAcknowledged = "alert_acknowledged";

    /// <summary>True for the three session event types.</summary>
    public static bool IsSession(string type) => type is SessionCreated or SessionUpdated or SessionTerminated;

    /// <summary>True for the three alert event types.</summary>
    public static bool IsAlert(string type) => type.StartsWith("alert_", StringComparison.Ordinal);

    /// <summary>A command was issued to a session's producer; data is <c>{command}</c>.</summary>
    public const string CommandIssued = "command_issued";

    /// <summary>A producer was first handed a command; data is <c>{command}</c>.</summary>
    public const string CommandDelivered = "command_delivered";

    /// <summary>The producer answered a command with an outcome; data is <c>{command}</c>.</summary>
    public const string CommandAcknowledged = "command_acknowledged";

    /// <summary>A command's expiry passed before it was acknowledged; data is <c>{command}</c>.</summary>
    public const string CommandExpired = "command_expired";

    /// <summary>An operator withdrew a pending command; data is <c>{command}</c>.</summary>
    public const string CommandWithdrawn = "command_withdrawn";

    /// <summary>True for the five command event types.</summary>
    public static bool IsCommand(string type) => type.StartsWith("command_", StringComparison.Ordinal);

    /// <summary>A session's producer asked a person to approve something; data is <c>{approval}</c>.</summary>
    public const string ApprovalRequested = "approval_requested";

    /// <summary>An operator allowed or denied an approval; data is <c>{approval}</c>.</summary>
    public const string ApprovalAnswered = "approval_answered";

    /// <summary>Nobody answered an approval before its expiry; data is <c>{approval}</c>.</summary>
    public const string ApprovalExpired = "approval_expired";

    /// <summary>The asker went away before an answer (a hook's agent stopped waiting); data is <c>{approval}</c>.</summary>
    public const string ApprovalWithdrawn = "approval_withdrawn";

    /// <summary>True for the four approval event types.</summary>
    public static bool IsApproval(string type) => type.StartsWith("approval_", StringComparison.Ordinal);

    /// <summary>Derived counts and totals; never stored, carries <c>as_of_seq</c>.</summary>
    public const string Summary = "summary";
}

using System.Text.Json;
using Switchboard.Client.Json;

namespace Switchboard.Client;

/// <summary>
/// An event envelope <c>{seq, epoch, type, session_id, at, data}</c>. Logged events have a strictly increasing
/// <see cref="Seq"/>; <c>summary</c> is derived and has none.
/// </summary>
public abstract record SwitchboardEvent : StreamItem
{
    /// <summary>The log position, or null for <c>summary</c>.</summary>
    public long? Seq { get; init; }

    /// <summary>The log's epoch.</summary>
    public required string Epoch { get; init; }

    /// <summary>The wire type, e.g. <c>session_updated</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The session concerned, or null (fleet and summary events).</summary>
    public string? SessionId { get; init; }

    /// <summary>When it happened (UTC).</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>The raw <c>data</c> object.</summary>
    public JsonElement Data { get; init; }

    /// <summary>
    /// For an event of a child session that changed its totals: the ids of its ancestors, root first. Each holds
    /// <see cref="SubtreeDelta"/> more in its <see cref="Session.Subtree"/> than before the event (no event is sent per ancestor).
    /// </summary>
    public IReadOnlyList<string> Ancestors { get; init; } = [];

    /// <summary>What the event added to the subtree totals of each of <see cref="Ancestors"/>, or null.</summary>
    public SubtreeTotals? SubtreeDelta { get; init; }

    /// <summary>The position to resume after this event, or null for <c>summary</c>.</summary>
    public StreamPosition? Position => Seq is { } seq ? new StreamPosition(seq, Epoch) : null;
}

/// <summary><c>session_created</c>.</summary>
public sealed record SessionCreatedEvent : SwitchboardEvent
{
    /// <summary>The new session.</summary>
    public required Session Session { get; init; }

    /// <summary>Active sessions after the event.</summary>
    public long ActiveCount { get; init; }
}

/// <summary><c>session_updated</c>: only the fields that changed.</summary>
public sealed record SessionUpdatedEvent : SwitchboardEvent
{
    /// <summary>The changed fields with their new values (always includes <c>updated_at</c>).</summary>
    public JsonElement Changes { get; init; }

    /// <summary>The state before, when the state changed; <see cref="SessionState.Unknown"/> for one this client does not know (<see cref="PreviousStateName"/>).</summary>
    public SessionState? PreviousState => PreviousStateName is { } name ? SessionStates.FromWire(name) : null;

    /// <summary>The new state, when the state changed; <see cref="SessionState.Unknown"/> for one this client does not know (<see cref="StateName"/>).</summary>
    public SessionState? State => StateName is { } name ? SessionStates.FromWire(name) : null;

    /// <summary>The wire name of the state before, when the state changed, as the server sent it.</summary>
    public string? PreviousStateName { get; init; }

    /// <summary>The wire name of the new state, when the state changed, as the server sent it.</summary>
    public string? StateName { get; init; }

    /// <summary>The session's version after the change.</summary>
    public long Version { get; init; }

    /// <summary>Why the server made the change (e.g. <c>lease_expired</c>), when it says.</summary>
    public string? Reason { get; init; }

    /// <summary>
    /// The whole session after the change, when the event carries it: a session made from OpenTelemetry placed under its
    /// parent agent (reason <c>adopted</c>) enters subtrees whose subscribers have never seen it.
    /// </summary>
    public Session? Session { get; init; }

    /// <summary>The session after this event, given the session as it was before it.</summary>
    public Session ApplyTo(Session before)
    {
        ArgumentNullException.ThrowIfNull(before);
        return WireJson.ApplyChanges(before, Changes, Version);
    }
}

/// <summary><c>session_terminated</c>.</summary>
public sealed record SessionTerminatedEvent : SwitchboardEvent
{
    /// <summary>The final session.</summary>
    public required Session Session { get; init; }

    /// <summary>Why it ended.</summary>
    public string? Reason { get; init; }

    /// <summary>Active sessions after the event.</summary>
    public long ActiveCount { get; init; }
}

/// <summary><c>fleet_updated</c>: the fleet was paused or resumed.</summary>
public sealed record FleetUpdatedEvent : SwitchboardEvent
{
    /// <summary>The new flag.</summary>
    public bool IsPaused { get; init; }
}

/// <summary><c>summary</c>: counts and totals; never logged, so <see cref="SwitchboardEvent.Seq"/> is null.</summary>
public sealed record SummaryEvent : SwitchboardEvent
{
    /// <summary>The summary.</summary>
    public required Summary Summary { get; init; }
}

/// <summary><c>alert_raised</c>, <c>alert_resolved</c> or <c>alert_acknowledged</c> (the <c>alerts</c> topic, and a session's topic).</summary>
public sealed record AlertEvent : SwitchboardEvent
{
    /// <summary>The alert after the event.</summary>
    public required Alert Alert { get; init; }
}

/// <summary>
/// <c>webhooks</c>: the whole list of webhook endpoints with their delivery state, pushed on the <c>webhooks</c> topic
/// once it is joined and again whenever anything in it changes; never logged, so <see cref="SwitchboardEvent.Seq"/> is null.
/// </summary>
public sealed record WebhooksEvent : SwitchboardEvent
{
    /// <summary>Every endpoint, as <see cref="SwitchboardClient.ListWebhooksAsync"/> gives them (no secrets).</summary>
    public required IReadOnlyList<Webhook> Webhooks { get; init; }
}

/// <summary>
/// <c>command_issued</c>, <c>command_delivered</c>, <c>command_acknowledged</c>, <c>command_expired</c> or
/// <c>command_withdrawn</c> (a session's topic, and the fleet-wide <c>commands</c> topic).
/// </summary>
public sealed record CommandEvent : SwitchboardEvent
{
    /// <summary>The command after the event.</summary>
    public required SessionCommand Command { get; init; }
}

/// <summary>An event type this client does not know (from a newer server); the raw envelope is kept.</summary>
public sealed record UnknownEvent : SwitchboardEvent;

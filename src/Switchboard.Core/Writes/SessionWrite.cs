using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Writes;

/// <summary>One change a producer asks for. Every write is validated, applied by the state machine and committed with its event.</summary>
public abstract record SessionWrite
{
    /// <summary>
    /// Set on a producer's own writes (update, usage, heartbeat over HTTP): the same transaction hands it the session's
    /// commands that are due (pending, or delivered and not acknowledged within their visibility timeout), each logged as
    /// <c>command_delivered</c> (the commands of <see cref="Storage.WriteResult"/>).
    /// </summary>
    internal bool DeliversCommands { get; init; }

    /// <summary>
    /// With <see cref="DeliversCommands"/>: only commands of these types are handed over (what the answer can carry, such as
    /// a hook's, which can say some things at some events only); null hands over every type.
    /// </summary>
    internal IReadOnlySet<Switchboard.Core.Commands.CommandType>? HandsOver { get; init; }

    /// <summary>
    /// Set on the writes of an API key scoped by labels: a session without every one of these pairs does not exist for
    /// the write. Decided first in the write transaction, on the rows it holds, before any other work (<see cref="WriteBatch.Refused"/>),
    /// and again as the batch applies, so a session moved out of the scope meanwhile is not written.
    /// </summary>
    internal KeyValuePair<string, string>[]? Scope { get; init; }

    /// <summary>
    /// The command settings the store's transaction applies to this write (a hand-over, an issue, a rule's action). Set by
    /// the server's writer; the defaults otherwise.
    /// </summary>
    internal Switchboard.Core.Commands.CommandPolicy CommandPolicy { get; init; } = Switchboard.Core.Commands.CommandPolicy.Default;
}

/// <summary>
/// Creates a session. A null id lets the server generate one. The plain fields (<c>SessionWire</c>'s rows marked
/// <c>Use.Plain</c>) are generated into this record, with their reading, checks and application.
/// </summary>
public sealed partial record CreateSession : SessionWrite
{
    /// <summary>The id to use, or null to generate one.</summary>
    public string? Id { get; init; }
    /// <summary>Display name.</summary>
    public string? Name { get; init; }
    /// <summary>Initial state; any state but terminating or terminated.</summary>
    public SessionState State { get; init; } = SessionState.Initializing;
    /// <summary>Labels.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    /// <summary>Metadata as a compact JSON object.</summary>
    public string? Metadata { get; init; }
    /// <summary>Error message, when created in the error state.</summary>
    public string? ErrorMessage { get; init; }
    /// <summary>Initial input tokens.</summary>
    public long InputTokens { get; init; }
    /// <summary>Initial output tokens.</summary>
    public long OutputTokens { get; init; }
    /// <summary>Initial cost.</summary>
    public decimal CostUsd { get; init; }
    /// <summary>Lease length in seconds, or null for no lease.</summary>
    public int? LeaseSeconds { get; init; }
    /// <summary>False when the producer cannot receive commands; commands to the session are then refused.</summary>
    public bool AcceptsCommands { get; init; } = true;
    /// <summary>The session that starts this one (it must exist and not be terminated); null for a root. Never changes.</summary>
    public string? ParentId { get; init; }
    /// <summary>
    /// The deepest level a child may be at (<c>Switchboard:Sessions:MaxTreeDepth</c>): the limit travels with the write
    /// because the store, which reads the parent, decides it. Set by the server's writer.
    /// </summary>
    internal int MaxTreeDepth { get; init; } = SwitchboardDefaults.MaxTreeDepth;
    /// <summary>The ended session a telemetry session continues (<see cref="Session.Continues"/>); set by the server only.</summary>
    internal string? Continues { get; init; }
    /// <summary>Where a telemetry session counts its usage from (<see cref="Session.UsageFrom"/>); set by the server only.</summary>
    internal string? UsageFrom { get; init; }

    /// <summary>The session's activity (a hook's tool); set by the server's hook receivers only.</summary>
    internal string? Activity { get; init; }
}

/// <summary>A partial update of a session. Absent fields stay as they are; the plain fields are generated, as on <see cref="CreateSession"/>.</summary>
public sealed partial record UpdateSession(string SessionId) : SessionWrite
{
    /// <summary>New state.</summary>
    public SessionState? State { get; init; }
    /// <summary>New name (null clears it).</summary>
    public Optional<string?> Name { get; init; }
    /// <summary>Replaces all labels.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    /// <summary>Replaces the metadata object.</summary>
    public string? Metadata { get; init; }
    /// <summary>New error message (null clears it).</summary>
    public Optional<string?> ErrorMessage { get; init; }
    /// <summary>New lease length (null removes the lease).</summary>
    public Optional<int?> LeaseSeconds { get; init; }
    /// <summary>When set, the update applies only if the session is at this version.</summary>
    public long? ExpectedVersion { get; init; }
}

/// <summary>Adds usage increments to a session.</summary>
public sealed record AddUsage(string SessionId) : SessionWrite
{
    /// <summary>Input tokens to add (≥ 0).</summary>
    public long InputTokens { get; init; }
    /// <summary>Output tokens to add (≥ 0).</summary>
    public long OutputTokens { get; init; }
    /// <summary>Cost to add (≥ 0).</summary>
    public decimal CostUsd { get; init; }
}

/// <summary>Renews a session's lease without changing it (no event).</summary>
public sealed record Heartbeat(string SessionId) : SessionWrite;

/// <summary>Terminates a session.</summary>
public sealed record TerminateSession(string SessionId) : SessionWrite
{
    /// <summary>Why; defaults to <c>terminated</c>.</summary>
    public string? Reason { get; init; }
    /// <summary>When set, applies only if the session is at this version.</summary>
    public long? ExpectedVersion { get; init; }
    /// <summary>Also terminates every active descendant, in the same commit (deepest first). Otherwise children keep running.</summary>
    public bool Cascade { get; init; }
}

/// <summary>Moves a session whose lease ran out to error. Issued by the server, never by a client.</summary>
internal sealed record ExpireLease(string SessionId) : SessionWrite;

/// <summary>Sets the fleet pause flag.</summary>
internal sealed record SetFleetPaused(bool Paused) : SessionWrite;

/// <summary>
/// Raises an alert unless its rule already has one open about the same subject. Issued by the alert evaluator. With an
/// <see cref="Action"/>, an alert raised about a session also issues that command to it, in the same transaction (once per alert).
/// </summary>
internal sealed record RaiseAlert(Switchboard.Core.Alerts.Alert Alert) : SessionWrite
{
    /// <summary>The rule's action, if it has one.</summary>
    public Switchboard.Core.Commands.CommandAction? Action { get; init; }
}

/// <summary>Resolves the open alert of a rule about a subject, if there is one. Issued by the alert evaluator.</summary>
internal sealed record ResolveAlert(string RuleId, string Subject, string Reason) : SessionWrite;

/// <summary>An operator acknowledges an alert, with who and a note.</summary>
internal sealed record AcknowledgeAlert(string AlertId, string By, string? Note) : SessionWrite;

namespace Switchboard.Core.Sessions;

/// <summary>A session as stored and as sent on the wire; its plain fields' properties are generated from <c>SessionWire</c>.</summary>
public sealed partial record Session
{
    /// <summary>1–128 characters from <c>[A-Za-z0-9._:-]</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Optional display name, at most 200 characters.</summary>
    public string? Name { get; init; }

    /// <summary>Lifecycle state.</summary>
    public SessionState State { get; init; } = SessionState.Initializing;

    /// <summary>At most 32 string labels, used for filtering and scoping.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyLabels;

    /// <summary>A JSON object of at most 16 KiB, kept as compact UTF-8 text.</summary>
    public string Metadata { get; init; } = "{}";

    /// <summary>Why the session is in <see cref="SessionState.Error"/>, when it is.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Input tokens used so far.</summary>
    public long InputTokens { get; init; }

    /// <summary>Output tokens used so far.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Input plus output tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>Cost so far, in US dollars.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Lease length; any update or heartbeat renews it. Null when the session has no lease.</summary>
    public int? LeaseSeconds { get; init; }

    /// <summary>When the lease runs out. Internal bookkeeping: heartbeats move it without an event.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }

    /// <summary>Creation time (UTC, millisecond precision).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Time of the last change.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the session reached <see cref="SessionState.Terminated"/>.</summary>
    public DateTimeOffset? TerminatedAt { get; init; }

    /// <summary>Starts at 1 and goes up by 1 on every change.</summary>
    public long Version { get; init; }

    /// <summary>
    /// False when the session's producer cannot receive commands (a session made from OpenTelemetry, or created so):
    /// commands to it are refused. Set at create; changed once at most, from false to true, when the agent's hooks are
    /// first heard from (they read answers).
    /// </summary>
    public bool AcceptsCommands { get; init; } = true;

    /// <summary>What the agent is doing now, as its hooks report it (a tool's name, or a one-line summary); null when nothing in particular.</summary>
    public string? Activity { get; init; }

    /// <summary>The <c>seq</c> of the <c>session_created</c> event; orders listings.</summary>
    public long CreatedSeq { get; init; }

    /// <summary>
    /// The session that started this one; null for a root. Set at create, and once for a root made from telemetry when the
    /// span of its parent agent arrives (<see cref="Switchboard.Core.Writes.AdoptSession"/>).
    /// </summary>
    public string? ParentId { get; init; }

    /// <summary>The root of this session's tree: its own id for a root.</summary>
    public string RootId { get; init; } = "";

    /// <summary>Levels below the root: 0 for a root.</summary>
    public int Depth { get; init; }

    /// <summary>Totals over this session and all its descendants, kept exact in the write transaction.</summary>
    public SubtreeTotals Subtree { get; init; }

    /// <summary>The ids from the root down to this session, space-separated (store-only; see <c>Switchboard.Core.Trees.TreePath</c>).</summary>
    internal string TreePath { get; init; } = "";

    /// <summary>
    /// The session this one continues: an agent heard from again after its session ended by quiet continues in a new
    /// session that names the ended one (<c>terminated</c> stays final). Null for most sessions.
    /// </summary>
    public string? Continues { get; init; }

    /// <summary>
    /// Where a session made from telemetry counts its usage from (<c>events</c> or <c>metrics</c>): the first source that
    /// brought it usage. Owned by the server: no request sets or clears it.
    /// </summary>
    public string? UsageFrom { get; init; }

    /// <summary>
    /// The session's durable streams, by name (docs/streams.md "Session streams"). Owned by the server: a stream's create,
    /// close or delete changes it, in the same transaction.
    /// </summary>
    public IReadOnlyList<SessionStream> Streams { get; init; } = [];

    /// <summary>True for every state except terminated.</summary>
    public bool IsActive => State.IsActive();

    internal static readonly IReadOnlyDictionary<string, string> EmptyLabels =
        new Dictionary<string, string>(StringComparer.Ordinal);
}

using Kind = Switchboard.Core.Sessions.WireFieldKind;
using Use = Switchboard.Core.Sessions.WireFieldUse;

namespace Switchboard.Core.Sessions;

// This file, SessionWire.*.cs and the Wire*.cs types beside it are compiled into Switchboard.Core and, as linked source,
// into Switchboard.Client (the way ASP.NET Core shares src/SignalR/common/Shared): the client must not reference Core, so
// nothing here names a Core or Client type, and the store parts are left out of the client with SWITCHBOARD_CLIENT.
// Internal on both sides.

/// <summary>
/// The session's shape, declared once: each field's wire name, JSON kind, whether it is a usage counter, whether create
/// and update requests may set it, and its store column. The JSON writer and reader, the differ behind
/// <c>session_updated</c>, the request parsers, the stores' column lists and bindings, and the OpenAPI schema all walk
/// this table; each side binds it to its own <c>Session</c> record with typed accessors (Core: <c>SessionFields</c>,
/// client: <c>ClientSessionFields</c>).
/// </summary>
static partial class SessionWire
{
    // Order matters: sessions are written in this order, changes in this order with the stamp last, and store columns
    // are bound by position in this order.
    // ---------------------------------------------------------------------------------- name, kind, nullable, use, column
    public static readonly WireField Id = new("id", Kind.Text, false, Use.Response | Use.Create | Use.Fixed, "id",
        "1–128 characters from [A-Za-z0-9._:-]; generated when a create request leaves it out.");
    public static readonly WireField CreatedSeq = new(null, Kind.Int64, false, Use.Fixed, "created_seq",
        "The seq of the session_created event; orders listings.");
    public static readonly WireField Name = new("name", Kind.Text, true, Use.Response | Use.Changes | Use.Create | Use.Update, "name",
        "Display name, at most 200 characters; null clears it.");
    public static readonly WireField State = new("state", Kind.State, false, Use.Response | Use.Changes | Use.Create | Use.Update, "state",
        "Lifecycle state (`waiting`: blocked on a person). A later server may add states: read one you do not know as an active state, by its name.");
    public static readonly WireField Labels = new("labels", Kind.Labels, false, Use.Response | Use.Changes | Use.Create | Use.Update, "labels",
        "At most 32 string labels; an update replaces them all.");
    public static readonly WireField Metadata = new("metadata", Kind.JsonObject, false, Use.Response | Use.Changes | Use.Create | Use.Update, "metadata",
        "A JSON object of at most 16 KiB; an update replaces it.");
    public static readonly WireField ErrorMessage = new("error_message", Kind.Text, true, Use.Response | Use.Changes | Use.Create | Use.Update, "error_message",
        "Why the session is in error; null clears it.");
    public static readonly WireField Activity = new("activity", Kind.Text, true, Use.Response | Use.Changes, "activity",
        "What the agent is doing now, as its hooks report it (a tool's name, with Switchboard:Hooks:Activity=summary a one-line summary of its input); null when it does nothing in particular.");
    public static readonly WireField InputTokens = new("input_tokens", Kind.Int64, false, Use.Response | Use.Changes | Use.Usage | Use.Create | Use.AddUsage, "input_tokens",
        "Input tokens used so far (a usage request adds to it).");
    public static readonly WireField OutputTokens = new("output_tokens", Kind.Int64, false, Use.Response | Use.Changes | Use.Usage | Use.Create | Use.AddUsage, "output_tokens",
        "Output tokens used so far (a usage request adds to it).");
    public static readonly WireField TotalTokens = new("total_tokens", Kind.Int64, false, Use.Response | Use.Changes | Use.Derived, null,
        "input_tokens + output_tokens.");
    public static readonly WireField CostUsd = new("cost_usd", Kind.Decimal, false, Use.Response | Use.Changes | Use.Usage | Use.Create | Use.AddUsage, "cost_usd",
        "Cost so far in US dollars (a usage request adds to it).");
    public static readonly WireField TasksRunning = new("tasks_running", Kind.Int32, false, Use.Response | Use.Changes | Use.Usage | Use.Create | Use.Update | Use.Plain, "tasks_running",
        "Tasks currently running in the session (an absolute number).") { Minimum = 0 };
    public static readonly WireField LeaseSeconds = new("lease_seconds", Kind.Int32, true, Use.Response | Use.Changes | Use.Create | Use.Update, "lease_seconds",
        "Lease length in seconds; any write or heartbeat renews it. Null means no lease.");
    public static readonly WireField LeaseExpiresAt = new(null, Kind.Time, true, Use.None, "lease_expires_at",
        "When the lease runs out; heartbeats move it without an event.");
    public static readonly WireField CreatedAt = new("created_at", Kind.Time, false, Use.Response | Use.Fixed, "created_at",
        "Creation time (UTC, milliseconds).");
    public static readonly WireField UpdatedAt = new("updated_at", Kind.Time, false, Use.Response | Use.Stamp, "updated_at",
        "Time of the last change.");
    public static readonly WireField TerminatedAt = new("terminated_at", Kind.Time, true, Use.Response | Use.Changes, "terminated_at",
        "When the session was terminated, or null.");
    public static readonly WireField Version = new("version", Kind.Int64, false, Use.Response, "version",
        "Starts at 1 and goes up by 1 on every change.");
    public static readonly WireField AcceptsCommands = new("accepts_commands", Kind.Bool, false, Use.Response | Use.Changes | Use.Create, "accepts_commands",
        "False when the session's producer cannot receive commands (a session made from OpenTelemetry, or created with false): a command to it answers 409. Default true. Changes once at most, from false to true, when the agent's hooks are first heard from (docs/commands.md).");
    public static readonly WireField ParentId = new("parent_id", Kind.Text, true, Use.Response | Use.Changes | Use.Create | Use.Fixed, "parent_id",
        "The session that started this one; null for a root. Set at create and never changed, except once for a root made from OpenTelemetry, when the span of its parent agent arrives (a session_updated with reason 'adopted').");
    public static readonly WireField RootId = new("root_id", Kind.Text, false, Use.Response | Use.Changes | Use.Fixed, "root_id",
        "The root of this session's tree (its own id for a root).");
    public static readonly WireField Depth = new("depth", Kind.Int32, false, Use.Response | Use.Changes | Use.Fixed, "depth",
        "Levels below the root: 0 for a root, 1 for its children, and so on.");
    public static readonly WireField Subtree = new("subtree", Kind.Subtree, false, Use.Response | Use.Stamp, "subtree",
        "Totals over this session and all its descendants, kept exact with every write; in every changes object.");
    public static readonly WireField TreePath = new(null, Kind.Text, false, Use.Fixed, "tree_path",
        "The ids from the root down to this session, separated by spaces: its ancestors, and the order of a subtree.");
    public static readonly WireField Continues = new("continues", Kind.Text, true, Use.Response | Use.Fixed, "continues",
        "The session this one continues: an agent heard from again after its session ended by quiet (docs/otel.md) continues in a new session that names the ended one. Null for most sessions.");
    public static readonly WireField UsageFrom = new("usage_from", Kind.Text, true, Use.Response | Use.Changes, "usage_from",
        "Where a session made from OpenTelemetry counts its usage from (`events` or `metrics`): the first source that brought it usage. Set by the server only; null for other sessions.");
    public static readonly WireField Streams = new("streams", Kind.Streams, false, Use.Response | Use.Changes, "streams",
        "The session's durable streams (/v1/stream/sessions/{id}/{name}, docs/streams.md), by name: each with its content type and whether it is closed. Creating, closing or deleting one is a change of the session (its version moves, session_updated); an append is not. Set by the server only.");

    /// <summary>Every field, in declaration order.</summary>
    public static readonly WireField[] All =
    [
        Id, CreatedSeq, Name, State, Labels, Metadata, ErrorMessage, Activity, InputTokens, OutputTokens, TotalTokens, CostUsd,
        TasksRunning, LeaseSeconds, LeaseExpiresAt, CreatedAt, UpdatedAt, TerminatedAt, Version, AcceptsCommands, ParentId, RootId,
        Depth, Subtree, TreePath, Continues, UsageFrom, Streams,
    ];

    /// <summary>
    /// The wire names of the states, indexed by the state enum's value (Core's and the client's agree). A new state goes
    /// at the end, so no value moves for code compiled against an older list.
    /// </summary>
    public static readonly string[] StateNames = ["initializing", "idle", "working", "paused", "error", "terminating", "terminated", "waiting"];

    /// <summary>The column suffixes of a <see cref="WireFieldKind.Subtree"/> field, in binding order (the wire also has total_tokens).</summary>
    /// <remarks>A property, not a field: the fields above are built first and read it.</remarks>
    public static string[] SubtreeColumnSuffixes => ["sessions", "active", "input_tokens", "output_tokens", "cost_usd"];
}

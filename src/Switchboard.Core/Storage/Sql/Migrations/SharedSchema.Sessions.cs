using Switchboard.Core.Sessions;

namespace Switchboard.Core.Storage.Sql.Migrations;

/// <summary>
/// The tables both stores keep alike, declared once and written in each store's types by its dialect; each store's
/// migrations list them in its own order beside what only it has. Columns added since a table was first created are
/// steps of their own, so that a table keeps its columns in the order older databases have them.
/// </summary>
internal static partial class SharedSchema
{
    /// <summary>The session row as first created; the plain session fields' columns come from their generated table.</summary>
    public static readonly CreateTable Sessions = new("sessions",
    [
        new("id", SqlType.Text),
        new("created_seq", SqlType.Int64),
        new("state", SqlType.Text),
        new("name", SqlType.Text, Nullable: true),
        new("labels", SqlType.Text),
        new("metadata", SqlType.Text),
        new("error_message", SqlType.Text, Nullable: true),
        new("input_tokens", SqlType.Int64),
        new("output_tokens", SqlType.Int64),
        new("cost_usd", SqlType.Decimal),
        .. SessionFields.PlainColumns.Select(c => new Column(c.Name, SqlTypes.Of(c.Kind), c.Nullable)),
        new("lease_seconds", SqlType.Int32, Nullable: true),
        new("lease_expires_at", SqlType.Time, Nullable: true),
        new("created_at", SqlType.Time),
        new("updated_at", SqlType.Time),
        new("terminated_at", SqlType.Time, Nullable: true),
        new("version", SqlType.Int64),
    ], ["id"]);

    public static readonly CreateIndex[] SessionIndexes =
    [
        new("sessions_by_created", "sessions", "created_seq"),
        new("sessions_by_state", "sessions", "state, created_seq"),
        new("sessions_by_lease", "sessions", "lease_expires_at", Where: "lease_expires_at IS NOT NULL"),
    ];

    public static readonly AddColumn AcceptsCommands = new("sessions", new("accepts_commands", SqlType.Bool, Default: true));
    public static readonly AddColumn Activity = new("sessions", new("activity", SqlType.Text, Nullable: true));
    public static readonly AddColumn Continues = new("sessions", new("continues", SqlType.Text, Nullable: true));
    public static readonly AddColumn UsageFrom = new("sessions", new("usage_from", SqlType.Text, Nullable: true));
    public static readonly AddColumn SessionStreams = new("sessions", new("streams", SqlType.Text, Default: "[]"));

    /// <summary>The events' labels and the labels before a change, added after the first release.</summary>
    public static readonly AddColumn[] EventLabels =
    [
        new("events", new("labels", SqlType.Text, Nullable: true)),
        new("events", new("prior_labels", SqlType.Text, Nullable: true)),
    ];

    public static readonly CreateIndex EventsBySession = new("events_by_session", "events", "session_id, seq");

    /// <summary>The tree's columns: the sessions' place in their tree and its totals, the events' root and path.</summary>
    public static readonly AddColumn[] TreeColumns =
    [
        new("sessions", new("parent_id", SqlType.Text, Nullable: true)),
        new("sessions", new("root_id", SqlType.Text, Nullable: true)),
        new("sessions", new("depth", SqlType.Int32, Default: 0)),
        new("sessions", new("subtree_sessions", SqlType.Int64, Default: 1)),
        new("sessions", new("subtree_active", SqlType.Int64, Default: 0)),
        new("sessions", new("subtree_input_tokens", SqlType.Int64, Default: 0)),
        new("sessions", new("subtree_output_tokens", SqlType.Int64, Default: 0)),
        new("sessions", new("subtree_cost_usd", SqlType.Decimal, Default: 0m)),
        new("sessions", new("tree_path", SqlType.Path, Nullable: true)),
        new("events", new("root_id", SqlType.Text, Nullable: true)),
        new("events", new("tree_path", SqlType.Path, Nullable: true)),
    ];

    /// <summary>Created after <see cref="TreeColumns"/> and the backfill that makes every older session a root.</summary>
    public static readonly CreateIndex[] TreeIndexes =
    [
        new("sessions_by_parent", "sessions", "parent_id, created_seq"),
        new("sessions_by_tree_path", "sessions", "tree_path", Unique: true),
        new("sessions_active_by_tree_path", "sessions", "tree_path", Where: "state <> 'terminated'"),
        new("events_by_root", "events", "root_id, seq", Where: "root_id IS NOT NULL"),
    ];
}

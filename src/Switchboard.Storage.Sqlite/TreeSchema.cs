namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The tree's part of the SQLite schema: the session columns of <c>SessionWire</c>'s tree fields, the events' root and
/// path (so a subtree's events can be replayed), their indexes, and the backfill that makes every session stored before
/// trees a root whose subtree is itself.
/// </summary>
internal static class TreeSchema
{
    public static readonly (string Table, string Column, string Type)[] AddedColumns =
    [
        ("sessions", "parent_id", "TEXT"),
        ("sessions", "root_id", "TEXT"),
        ("sessions", "depth", "INTEGER NOT NULL DEFAULT 0"),
        ("sessions", "subtree_sessions", "INTEGER NOT NULL DEFAULT 1"),
        ("sessions", "subtree_active", "INTEGER NOT NULL DEFAULT 0"),
        ("sessions", "subtree_input_tokens", "INTEGER NOT NULL DEFAULT 0"),
        ("sessions", "subtree_output_tokens", "INTEGER NOT NULL DEFAULT 0"),
        ("sessions", "subtree_cost_usd", "TEXT NOT NULL DEFAULT '0'"),
        ("sessions", "tree_path", "TEXT"),
        ("events", "root_id", "TEXT"),
        ("events", "tree_path", "TEXT"),
    ];

    /// <summary>Run after the columns exist: backfill older rows, then the indexes.</summary>
    public const string Complete = """
        UPDATE sessions SET root_id = id, tree_path = id, depth = 0, subtree_sessions = 1,
            subtree_active = CASE WHEN state <> 'terminated' THEN 1 ELSE 0 END,
            subtree_input_tokens = input_tokens, subtree_output_tokens = output_tokens, subtree_cost_usd = cost_usd
        WHERE tree_path IS NULL;
        CREATE INDEX IF NOT EXISTS sessions_by_parent ON sessions(parent_id, created_seq);
        CREATE UNIQUE INDEX IF NOT EXISTS sessions_by_tree_path ON sessions(tree_path);
        CREATE INDEX IF NOT EXISTS sessions_active_by_tree_path ON sessions(tree_path) WHERE state <> 'terminated';
        CREATE INDEX IF NOT EXISTS events_by_root ON events(root_id, seq) WHERE root_id IS NOT NULL;
        """;
}

namespace Switchboard.Storage.Postgres;

/// <summary>
/// The tree's part of the PostgreSQL schema, run after <see cref="PostgresSchema.Create"/> under the same lock: the
/// session columns of <c>SessionWire</c>'s tree fields, the events' root and path, their indexes, and the backfill that
/// makes every session stored before trees a root whose subtree is itself. Paths compare in the "C" collation (byte
/// order), which is what makes a subtree one range of paths.
/// </summary>
internal static class PostgresTreeSchema
{
    public const string Create = """
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS parent_id text;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS root_id text;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS depth integer NOT NULL DEFAULT 0;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS subtree_sessions bigint NOT NULL DEFAULT 1;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS subtree_active bigint NOT NULL DEFAULT 0;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS subtree_input_tokens bigint NOT NULL DEFAULT 0;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS subtree_output_tokens bigint NOT NULL DEFAULT 0;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS subtree_cost_usd numeric NOT NULL DEFAULT 0;
        ALTER TABLE switchboard_sessions ADD COLUMN IF NOT EXISTS tree_path text COLLATE "C";
        ALTER TABLE switchboard_events ADD COLUMN IF NOT EXISTS root_id text;
        ALTER TABLE switchboard_events ADD COLUMN IF NOT EXISTS tree_path text COLLATE "C";
        UPDATE switchboard_sessions SET root_id = id, tree_path = id, depth = 0, subtree_sessions = 1,
            subtree_active = CASE WHEN state <> 'terminated' THEN 1 ELSE 0 END,
            subtree_input_tokens = input_tokens, subtree_output_tokens = output_tokens, subtree_cost_usd = cost_usd
        WHERE tree_path IS NULL;
        CREATE INDEX IF NOT EXISTS switchboard_sessions_by_parent ON switchboard_sessions (parent_id, created_seq);
        CREATE UNIQUE INDEX IF NOT EXISTS switchboard_sessions_by_tree_path ON switchboard_sessions (tree_path);
        CREATE INDEX IF NOT EXISTS switchboard_sessions_active_by_tree_path ON switchboard_sessions (tree_path) WHERE state <> 'terminated';
        CREATE INDEX IF NOT EXISTS switchboard_events_by_root ON switchboard_events (root_id, seq) WHERE root_id IS NOT NULL;
        """;
}

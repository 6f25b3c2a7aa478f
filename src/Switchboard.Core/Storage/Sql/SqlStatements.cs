namespace Switchboard.Core.Storage.Sql;

/// <summary>
/// The write statements that are the same on every database but for the dialect's names and functions, rendered once
/// per dialect. Parameters are <c>@name</c>, which both drivers bind by name; SQLite's writer binds them by position,
/// which for named parameters is their order of first appearance (checked when it prepares them).
/// </summary>
internal sealed class SqlStatements(SqlDialect sql)
{
    /// <summary>The log row (head seq, active-session count, fleet flag), one row with id 1.</summary>
    public string ReadLog { get; } = $"SELECT head_seq, active_count, fleet_paused FROM {sql.Table("log")} WHERE id = 1;";

    /// <summary>Sets the log row: <c>@head</c>, <c>@active</c>, <c>@paused</c>.</summary>
    public string WriteLog { get; } = $"UPDATE {sql.Table("log")} SET head_seq = @head, active_count = @active, fleet_paused = @paused WHERE id = 1;";

    /// <summary>Up to <c>@limit</c> sessions with a path in [<c>@from</c>, <c>@to</c>), in tree order.</summary>
    public string Descendants { get; } = $"SELECT id, tree_path FROM {sql.Table("sessions")} WHERE tree_path >= @from AND tree_path < @to ORDER BY tree_path LIMIT @limit;";

    /// <summary>Up to <c>@limit</c> active sessions with a path in [<c>@from</c>, <c>@to</c>), deepest first.</summary>
    public string ActiveDescendants { get; } =
        $"SELECT id, tree_path FROM {sql.Table("sessions")} WHERE tree_path >= @from AND tree_path < @to AND state <> 'terminated' ORDER BY depth DESC, tree_path LIMIT @limit;";

    /// <summary>An ancestor's totals change alone: a narrow update instead of the whole row.</summary>
    public string UpdateSubtree { get; } = $"UPDATE {sql.Table("sessions")} SET subtree_sessions = @sessions, subtree_active = @active, subtree_input_tokens = @input, " +
        "subtree_output_tokens = @output, subtree_cost_usd = @cost WHERE id = @id;";

    /// <summary>A session's place in its tree after an adoption.</summary>
    public string MoveSession { get; } = $"UPDATE {sql.Table("sessions")} SET parent_id = @parent, root_id = @root, depth = @depth, tree_path = @path WHERE id = @id;";

    public string InsertEvent { get; } = $"INSERT INTO {sql.Table("events")} ({SqlDialect.EventColumns}) " +
        "VALUES (@seq, @at, @type, @session_id, @data, @labels, @prior_labels, @root_id, @tree_path);";

    /// <summary>Sets a label value's active-session count.</summary>
    public string SetActiveCount { get; } = $"INSERT INTO {sql.Table("usage_active")} (group_key, group_value, active) VALUES (@k, @v, @n) " +
        "ON CONFLICT (group_key, group_value) DO UPDATE SET active = excluded.active;";

    /// <summary>Adds a batch's usage to a rollup row, creating it where none is: sums add, the peak takes the larger, so rows merge the same whichever node writes.</summary>
    public string AddRollup { get; } =
        $"INSERT INTO {sql.Table("usage")} (bucket, group_key, start, group_value, {SqlStore.RollupColumns}) " +
        "VALUES (@b, @k, @s, @v, @in, @out, @cost, @created, @terminated, @errored, @busy, @peak) " +
        "ON CONFLICT (bucket, group_key, start, group_value) DO UPDATE SET " +
        string.Join(", ", ((string[])["input_tokens", "output_tokens", "sessions_created", "sessions_terminated", "sessions_errored", "busy_ms"])
            .Select(c => $"{c} = {sql.Table("usage")}.{c} + excluded.{c}")) +
        $", cost_usd = {sql.DecimalSum($"{sql.Table("usage")}.cost_usd", "excluded.cost_usd")}" +
        $", peak_active = {sql.Greatest($"{sql.Table("usage")}.peak_active", "excluded.peak_active")};";
}

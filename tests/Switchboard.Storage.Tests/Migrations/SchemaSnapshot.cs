using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Switchboard.Storage.Tests.Migrations;

/// <summary>A database's schema as lines to compare (migrations' own record left out), and its rows counted per table.</summary>
internal static partial class SchemaSnapshot
{
    /// <summary>Every table's columns (pragma_table_info) and every table's and index's SQL with its white space removed.</summary>
    public static async Task<List<string>> SqliteAsync(string path)
    {
        await using var connection = await OpenSqliteAsync(path);
        var lines = await LinesAsync(connection,
            "SELECT m.name || '.' || p.name || ' ' || p.type || ' notnull=' || p.\"notnull\" || ' default=' || COALESCE(p.dflt_value, '-') || ' pk=' || p.pk " +
            "FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p WHERE m.type = 'table' AND m.name <> 'schema_migrations' ORDER BY m.name, p.cid;");
        lines.AddRange((await LinesAsync(connection,
                "SELECT type || ' ' || name || ': ' || COALESCE(sql, '-') FROM sqlite_master WHERE name NOT LIKE '%schema_migrations%' ORDER BY type, name;"))
            .Select(l => Spaces().Replace(l, "")));
        return lines;
    }

    /// <summary>The current schema's columns (information_schema), indexes (pg_indexes) and constraints.</summary>
    public static async Task<List<string>> PostgresAsync(string connectionString)
    {
        await using var connection = await OpenPostgresAsync(connectionString);
        var lines = await LinesAsync(connection,
            "SELECT table_name || '.' || column_name || ' #' || ordinal_position || ' ' || data_type || ' nullable=' || is_nullable || " +
            "' default=' || COALESCE(column_default, '-') || ' collation=' || COALESCE(collation_name, '-') FROM information_schema.columns " +
            "WHERE table_schema = current_schema() AND table_name <> 'switchboard_schema_migrations' ORDER BY table_name, ordinal_position;");
        lines.AddRange(await LinesAsync(connection,
            "SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename <> 'switchboard_schema_migrations' ORDER BY indexname;"));
        lines.AddRange(await LinesAsync(connection,
            "SELECT conrelid::regclass::text || ' ' || conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint " +
            "WHERE connamespace = current_schema()::regnamespace AND conrelid::regclass::text <> 'switchboard_schema_migrations' ORDER BY 1;"));
        return lines;
    }

    /// <summary>"table: rows" for every table of the database.</summary>
    public static async Task<List<string>> SqliteRowsAsync(string path)
    {
        await using var connection = await OpenSqliteAsync(path);
        var tables = await LinesAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('schema_migrations', 'sqlite_sequence') ORDER BY name;");
        return await CountsAsync(connection, tables);
    }

    public static async Task<List<string>> PostgresRowsAsync(string connectionString)
    {
        await using var connection = await OpenPostgresAsync(connectionString);
        var tables = await LinesAsync(connection,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'switchboard_schema_migrations' ORDER BY 1;");
        return await CountsAsync(connection, tables);
    }

    /// <summary>
    /// The row counts of <paramref name="after"/> against <paramref name="before"/>: every table that was there keeps its
    /// rows, and a table a later migration added is empty. Null when they agree, else what differs.
    /// </summary>
    public static string? KeptRows(IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        static string Table(string row) => row[..row.IndexOf(':', StringComparison.Ordinal)];
        var known = before.Select(Table).ToHashSet(StringComparer.Ordinal);
        var kept = after.Where(r => known.Contains(Table(r))).ToList();
        var added = after.Where(r => !known.Contains(Table(r))).ToList();
        return kept.SequenceEqual(before) && added.All(r => r.EndsWith(": 0", StringComparison.Ordinal))
            ? null
            : $"before: {string.Join(", ", before)}; after: {string.Join(", ", after)}";
    }

    /// <summary>The migrations' record: "version name" per row.</summary>
    public static async Task<List<string>> SqliteAppliedAsync(string path)
    {
        await using var connection = await OpenSqliteAsync(path);
        return await LinesAsync(connection, "SELECT version || ' ' || name FROM schema_migrations ORDER BY version;");
    }

    public static async Task<List<string>> PostgresAppliedAsync(string connectionString)
    {
        await using var connection = await OpenPostgresAsync(connectionString);
        return await LinesAsync(connection, "SELECT version || ' ' || name FROM switchboard_schema_migrations ORDER BY version;");
    }

    public static async Task<SqliteConnection> OpenSqliteAsync(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<NpgsqlConnection> OpenPostgresAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        return connection;
    }

    public static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> CountsAsync(DbConnection connection, List<string> tables)
    {
        var counts = new List<string>();
        foreach (var table in tables)
        {
            counts.AddRange(await LinesAsync(connection, $"SELECT '{table}: ' || COUNT(*) FROM {table};"));
        }

        return counts;
    }

    private static async Task<List<string>> LinesAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}

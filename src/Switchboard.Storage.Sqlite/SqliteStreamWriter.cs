using Microsoft.Data.Sqlite;
using Switchboard.Core.Storage.Sql;
using Switchboard.Core.Streams;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The stream primitives on the writer connection, inside the transaction <see cref="SqliteSessionStore"/> opened under
/// its write lock: SQLite has one writer, so the lock is what serialises stream writers; nothing here locks rows. The
/// SQL and its order are <see cref="SqlStreamWriter"/>'s; its statements run as the writer's kept commands (parsed once
/// for the connection, <see cref="PreparedStatements"/>), and the chunks' blobs are bound straight from memory
/// (<see cref="WriterStatement"/>).
/// </summary>
internal sealed class SqliteStreamWriter(SqliteConnection connection, SqliteTransaction transaction, PreparedStatements kept)
    : SqlStreamWriter(new SqlConnectionScope(connection, transaction, SqliteDialect.Instance, kept))
{
    private static readonly string ByPaths =
        $"SELECT {SqlStreams.Columns} FROM streams WHERE path IN (SELECT value FROM json_each(@paths)) AND state < 2;";

    private static readonly string Due =
        $"SELECT {SqlStreams.Columns} FROM streams WHERE state = 0 AND due_at IS NOT NULL AND due_at <= @now ORDER BY due_at LIMIT @limit;";

    private static readonly string ByIds = $"SELECT {SqlStreams.Columns} FROM streams WHERE id IN (SELECT value FROM json_each(@ids));";

    /// <remarks>
    /// The same rows as <see cref="SqlStreams.SelectWithSources"/>, by plain statements: the streams at the paths, the due
    /// ones, then their sources a fork level at a time (none, unless a fork is written). The recursive statement costs
    /// SQLite ten times as much to run as these (its temporary b-trees), and the writer lock already serialises writers.
    /// </remarks>
    public override async Task<IReadOnlyList<StreamRow>> LockAsync(IReadOnlyCollection<string> paths, DueStreams? due, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<long, StreamRow>();
        void Add(IEnumerable<StreamRow> found)
        {
            foreach (var row in found)
            {
                rows.TryAdd(row.Id, row);
            }
        }

        if (paths.Count > 0)
        {
            Add(await SqlStreams.QueryRowsAsync(Db, ByPaths, ("@paths", Db.Sql.List(paths))));
        }

        if (due is { } d)
        {
            Add(await SqlStreams.QueryRowsAsync(Db, Due, ("@now", Db.Sql.Time(d.Now)), ("@limit", d.Limit)));
        }

        for (var level = 0; level < SqlStreams.MaxSourceDepth; level++)
        {
            var sources = rows.Values.Where(r => r.ForkOf is { } source && !rows.ContainsKey(source)).Select(r => r.ForkOf!.Value).ToHashSet();
            if (sources.Count == 0)
            {
                break;
            }

            Add(await SqlStreams.QueryRowsAsync(Db, ByIds, ("@ids", SqliteJsonArrays.Numbers(sources))));
        }

        return [.. rows.Values.OrderBy(r => r.Id)];
    }

    protected override async Task WriteAsync(IReadOnlyList<SqlStatement> rows, IReadOnlyList<StreamChunk> chunks, IReadOnlyList<SqlStatement> producers,
        IReadOnlyList<StreamAdvance> advances, CancellationToken cancellationToken)
    {
        foreach (var row in rows)
        {
            await Db.ExecuteAsync(row.Sql, row.Args);
        }

        if (chunks.Count > 0)
        {
            using var chunk = new WriterStatement(connection, "INSERT INTO stream_chunks(stream_id, start_pos, end_pos, data) VALUES (?1, ?2, ?3, ?4);");
            foreach (var c in chunks)
            {
                chunk.Bind(1, c.StreamId);
                chunk.Bind(2, c.Start);
                chunk.Bind(3, c.End);
                chunk.Bind(4, c.Data.Span);
                chunk.Execute();
            }
        }

        foreach (var producer in producers)
        {
            await Db.ExecuteAsync(producer.Sql, producer.Args);
        }

        // Advances reach this node's readers after the commit (LocalStreamFeed); there is no other node to tell.
    }
}

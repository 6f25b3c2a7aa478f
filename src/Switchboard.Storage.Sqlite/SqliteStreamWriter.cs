using Microsoft.Data.Sqlite;
using Switchboard.Storage.Sql;
using Switchboard.Streams;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The stream primitives on the writer connection, inside the transaction <see cref="SqliteSessionStore"/> opened under
/// its write lock: SQLite has one writer, so the lock is what serialises stream writers; nothing here locks rows. The
/// SQL and its order are <see cref="SqlStreamWriter"/>'s; only the chunks' blobs are bound straight from memory
/// (<see cref="WriterStatement"/>).
/// </summary>
internal sealed class SqliteStreamWriter(SqliteConnection connection, SqliteTransaction transaction)
    : SqlStreamWriter(new SqlSession(connection, transaction, SqliteDialect.Instance))
{
    public override async Task<IReadOnlyList<StreamRow>> LockAsync(IReadOnlyCollection<string> paths, DueStreams? due, CancellationToken cancellationToken) =>
        await SqlStreams.QueryRowsAsync(Db, SqlStreams.SelectWithSources(Db.Sql), ("@paths", Db.Sql.List(paths)),
            ("@now", Db.Sql.Time(due?.Now ?? DateTimeOffset.UnixEpoch)), ("@limit", due?.Limit ?? 0));

    protected override async Task WriteAsync(IReadOnlyList<SqlStatement> rows, IReadOnlyList<StreamChunk> chunks, IReadOnlyList<SqlStatement> producers,
        IReadOnlyList<StreamAdvance> advances, CancellationToken cancellationToken)
    {
        await Db.ExecuteAllAsync(rows);

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

        await Db.ExecuteAllAsync(producers);

        // Advances reach this node's readers after the commit (LocalStreamFeed); there is no other node to tell.
    }
}

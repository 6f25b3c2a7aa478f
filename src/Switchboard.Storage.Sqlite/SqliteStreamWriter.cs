using Microsoft.Data.Sqlite;
using Switchboard.Storage.Sql;
using Switchboard.Streams;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The stream primitives on the writer connection, inside the transaction <see cref="SqliteSessionStore"/> opened under
/// its write lock: SQLite has one writer, so the lock is what serialises stream writers; nothing here locks rows. The
/// SQL is <see cref="SqlStreams"/>'s; only the chunks' blobs are bound straight from memory (<see cref="WriterStatement"/>).
/// </summary>
internal sealed class SqliteStreamWriter(SqliteConnection connection, SqliteTransaction transaction) : IStreamWriter
{
    private readonly SqlSession _db = new(connection, transaction, SqliteDialect.Instance);

    /// <summary>What was persisted, for the store to publish once committed.</summary>
    public StreamChanges? Persisted { get; private set; }

    public async Task<IReadOnlyList<StreamRow>> LockAsync(IReadOnlyCollection<string> paths, DueStreams? due, CancellationToken cancellationToken) =>
        await SqlStreams.QueryRowsAsync(_db, SqlStreams.SelectWithSources(_db.Sql), ("@paths", _db.Sql.List(paths)),
            ("@now", _db.Sql.Time(due?.Now ?? DateTimeOffset.UnixEpoch)), ("@limit", due?.Limit ?? 0));

    public Task<IReadOnlyList<ProducerRow>> ReadProducersAsync(IReadOnlyCollection<ProducerKey> keys, CancellationToken cancellationToken) =>
        SqlStreams.ReadProducersAsync(_db, keys);

    public Task<IReadOnlyDictionary<string, long>> CountLiveAsync(IReadOnlyCollection<string> owners, CancellationToken cancellationToken) =>
        SqlStreams.CountLiveAsync(_db, "owner", owners);

    public Task<IReadOnlyDictionary<string, long>> CountSessionStreamsAsync(IReadOnlyCollection<string> sessionIds, CancellationToken cancellationToken) =>
        SqlStreams.CountLiveAsync(_db, "session_id", sessionIds);

    public Task<IReadOnlyList<StreamChunk>> ReadChunksAsync(IReadOnlyList<ChunkRange> ranges, long maxBytes, CancellationToken cancellationToken) =>
        SqlStreams.ReadChunksAsync(_db, ranges, maxBytes);

    public async Task PersistAsync(StreamChanges changes, CancellationToken cancellationToken)
    {
        // Updates first: a row deleted in this transaction frees its path for a row created in it.
        foreach (var row in changes.Updated)
        {
            await _db.ExecuteAsync(SqlStreams.UpdateRow(_db.Sql), SqlStreams.RowArgs(row, _db.Sql));
        }

        foreach (var row in changes.Inserted)
        {
            await _db.ExecuteAsync(SqlStreams.InsertRow(_db.Sql), SqlStreams.RowArgs(row, _db.Sql));
        }

        if (changes.Chunks.Count > 0)
        {
            using var chunk = new WriterStatement(connection, "INSERT INTO stream_chunks(stream_id, start_pos, end_pos, data) VALUES (?1, ?2, ?3, ?4);");
            foreach (var c in changes.Chunks)
            {
                chunk.Bind(1, c.StreamId);
                chunk.Bind(2, c.Start);
                chunk.Bind(3, c.End);
                chunk.Bind(4, c.Data.Span);
                chunk.Execute();
            }
        }

        foreach (var p in changes.Producers)
        {
            await _db.ExecuteAsync(SqlStreams.UpsertProducer(_db.Sql), SqlStreams.ProducerArgs(p));
        }

        Persisted = changes;
    }
}

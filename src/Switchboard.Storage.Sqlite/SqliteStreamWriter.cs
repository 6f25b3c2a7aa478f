using Microsoft.Data.Sqlite;
using Switchboard.Streams;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The stream primitives on the writer connection, inside the transaction <see cref="SqliteSessionStore"/> opened under
/// its write lock: SQLite has one writer, so the lock is what serialises stream writers; nothing here locks rows.
/// </summary>
internal sealed class SqliteStreamWriter(SqliteConnection connection, SqliteTransaction transaction) : IStreamWriter
{
    private const string UpdateRow =
        "UPDATE streams SET path = $path, content_type = $content_type, tail = $tail, closed = $closed, closed_producer = $closed_producer, " +
        "closed_epoch = $closed_epoch, closed_seq = $closed_seq, stream_seq = $stream_seq, ttl_seconds = $ttl_seconds, expires_at = $expires_at, " +
        "accessed_at = $accessed_at, due_at = $due_at, fork_of = $fork_of, fork_at = $fork_at, forks = $forks, state = $state, owner = $owner, " +
        "created_at = $created_at WHERE id = $id;";

    private static readonly string InsertRow =
        $"INSERT INTO streams({SqliteStreamSchema.Columns}) VALUES ({string.Join(", ", SqliteStreamSchema.Columns.Split(", ").Select(c => "$" + c))});";

    /// <summary>What was persisted, for the store to publish once committed.</summary>
    public StreamChanges? Persisted { get; private set; }

    public Task<IReadOnlyList<StreamRow>> LockAsync(IReadOnlyCollection<string> paths, DueStreams? due, CancellationToken cancellationToken)
    {
        using var command = Command(SqliteStreamSchema.SelectWithSources);
        command.Parameters.AddWithValue("$paths", SqliteStreamRows.JsonArray(paths));
        command.Parameters.AddWithValue("$now", due?.Now.ToUnixTimeMilliseconds() ?? 0);
        command.Parameters.AddWithValue("$limit", due?.Limit ?? 0);
        return Task.FromResult<IReadOnlyList<StreamRow>>(SqliteStreamRows.ReadAll(command));
    }

    public Task<IReadOnlyList<ProducerRow>> ReadProducersAsync(IReadOnlyCollection<ProducerKey> keys, CancellationToken cancellationToken)
    {
        using var command = Command("SELECT stream_id, producer, epoch, last_seq FROM stream_producers WHERE stream_id = $s AND producer = $p;");
        var stream = command.Parameters.Add("$s", SqliteType.Integer);
        var producer = command.Parameters.Add("$p", SqliteType.Text);
        var rows = new List<ProducerRow>();
        foreach (var key in keys)
        {
            stream.Value = key.StreamId;
            producer.Value = key.ProducerId;
            using var r = command.ExecuteReader();
            if (r.Read())
            {
                rows.Add(new ProducerRow(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3)));
            }
        }

        return Task.FromResult<IReadOnlyList<ProducerRow>>(rows);
    }

    public Task<IReadOnlyDictionary<string, long>> CountLiveAsync(IReadOnlyCollection<string> owners, CancellationToken cancellationToken)
    {
        using var command = Command("SELECT owner, COUNT(*) FROM streams WHERE state = 0 AND owner IN (SELECT value FROM json_each($owners)) GROUP BY owner;");
        command.Parameters.AddWithValue("$owners", SqliteStreamRows.JsonArray(owners));
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        using var r = command.ExecuteReader();
        while (r.Read())
        {
            counts[r.GetString(0)] = r.GetInt64(1);
        }

        return Task.FromResult<IReadOnlyDictionary<string, long>>(counts);
    }

    public Task<IReadOnlyList<StreamChunk>> ReadChunksAsync(IReadOnlyList<ChunkRange> ranges, long maxBytes, CancellationToken cancellationToken) =>
        Task.FromResult(SqliteStreamRows.ReadChunks(connection, transaction, ranges, maxBytes));

    public Task PersistAsync(StreamChanges changes, CancellationToken cancellationToken)
    {
        // Updates first: a row deleted in this transaction frees its path for a row created in it.
        using (var update = Command(UpdateRow))
        {
            foreach (var row in changes.Updated)
            {
                SqliteStreamRows.Bind(update, row);
                update.ExecuteNonQuery();
            }
        }

        using (var insert = Command(InsertRow))
        {
            foreach (var row in changes.Inserted)
            {
                SqliteStreamRows.Bind(insert, row);
                insert.ExecuteNonQuery();
            }
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

        if (changes.Producers.Count > 0)
        {
            using var producer = Command(
                "INSERT INTO stream_producers(stream_id, producer, epoch, last_seq) VALUES ($s, $p, $e, $q) " +
                "ON CONFLICT(stream_id, producer) DO UPDATE SET epoch = excluded.epoch, last_seq = excluded.last_seq;");
            foreach (var p in changes.Producers)
            {
                producer.Parameters.Clear();
                producer.Parameters.AddWithValue("$s", p.StreamId);
                producer.Parameters.AddWithValue("$p", p.ProducerId);
                producer.Parameters.AddWithValue("$e", p.Epoch);
                producer.Parameters.AddWithValue("$q", p.LastSeq);
                producer.ExecuteNonQuery();
            }
        }

        Persisted = changes;
        return Task.CompletedTask;
    }

    private SqliteCommand Command(string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}

using System.Globalization;
using System.Text;
using Npgsql;
using Switchboard.Streams;

namespace Switchboard.Storage.Postgres;

/// <summary>Stream rows, chunks and advances to and from PostgreSQL (columns as <see cref="PostgresStreamSchema.Columns"/> lists them).</summary>
internal static class PostgresStreamRows
{
    /// <summary>The most a NOTIFY payload may carry (PostgreSQL's limit is 8,000 bytes).</summary>
    private const int MaxPayload = 7900;

    public static StreamRow Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Path = r.IsDBNull(1) ? null : r.GetString(1),
        ContentType = r.GetString(2),
        Tail = r.GetInt64(3),
        Closed = r.GetBoolean(4),
        ClosedBy = r.IsDBNull(5) ? null : new ProducerTuple(r.GetString(5), r.GetInt64(6), r.GetInt64(7)),
        StreamSeq = r.IsDBNull(8) ? null : r.GetString(8),
        TtlSeconds = r.IsDBNull(9) ? null : r.GetInt64(9),
        ExpiresAt = r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10),
        AccessedAt = r.GetFieldValue<DateTimeOffset>(11),
        DueAt = r.IsDBNull(12) ? null : r.GetFieldValue<DateTimeOffset>(12),
        ForkOf = r.IsDBNull(13) ? null : r.GetInt64(13),
        ForkAt = r.GetInt64(14),
        Forks = r.GetInt64(15),
        State = (StreamLifecycle)r.GetInt16(16),
        Owner = r.GetString(17),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(18),
    };

    public static async Task<List<StreamRow>> ReadAllAsync(NpgsqlDataReader r, CancellationToken ct)
    {
        var rows = new List<StreamRow>();
        while (await r.ReadAsync(ct))
        {
            rows.Add(Read(r));
        }

        return rows;
    }

    /// <summary>A command writing every column of <paramref name="row"/> with <paramref name="sql"/> (an insert or an update by id).</summary>
    public static NpgsqlBatchCommand Write(string sql, StreamRow row)
    {
        var c = new NpgsqlBatchCommand(sql);
        var p = c.Parameters;
        p.Add(new NpgsqlParameter<long>("id", row.Id));
        p.Add(new NpgsqlParameter("path", (object?)row.Path ?? DBNull.Value) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter<string>("content_type", row.ContentType));
        p.Add(new NpgsqlParameter<long>("tail", row.Tail));
        p.Add(new NpgsqlParameter<bool>("closed", row.Closed));
        p.Add(Nullable("closed_producer", row.ClosedBy?.ProducerId, NpgsqlTypes.NpgsqlDbType.Text));
        p.Add(Nullable("closed_epoch", row.ClosedBy?.Epoch, NpgsqlTypes.NpgsqlDbType.Bigint));
        p.Add(Nullable("closed_seq", row.ClosedBy?.Seq, NpgsqlTypes.NpgsqlDbType.Bigint));
        p.Add(Nullable("stream_seq", row.StreamSeq, NpgsqlTypes.NpgsqlDbType.Text));
        p.Add(Nullable("ttl_seconds", row.TtlSeconds, NpgsqlTypes.NpgsqlDbType.Bigint));
        p.Add(Nullable("expires_at", row.ExpiresAt?.ToUniversalTime(), NpgsqlTypes.NpgsqlDbType.TimestampTz));
        p.Add(new NpgsqlParameter<DateTimeOffset>("accessed_at", row.AccessedAt.ToUniversalTime()));
        p.Add(Nullable("due_at", row.DueAt?.ToUniversalTime(), NpgsqlTypes.NpgsqlDbType.TimestampTz));
        p.Add(Nullable("fork_of", row.ForkOf, NpgsqlTypes.NpgsqlDbType.Bigint));
        p.Add(new NpgsqlParameter<long>("fork_at", row.ForkAt));
        p.Add(new NpgsqlParameter<long>("forks", row.Forks));
        p.Add(new NpgsqlParameter<short>("state", (short)row.State));
        p.Add(new NpgsqlParameter<string>("owner", row.Owner));
        p.Add(new NpgsqlParameter<DateTimeOffset>("created_at", row.CreatedAt.ToUniversalTime()));
        return c;
    }

    public static NpgsqlBatchCommand Insert(StreamChunk chunk)
    {
        var c = new NpgsqlBatchCommand("INSERT INTO switchboard_stream_chunks (stream_id, end_pos, start_pos, data) VALUES (@s, @e, @b, @d);");
        c.Parameters.Add(new NpgsqlParameter<long>("s", chunk.StreamId));
        c.Parameters.Add(new NpgsqlParameter<long>("e", chunk.End));
        c.Parameters.Add(new NpgsqlParameter<long>("b", chunk.Start));
        c.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>>("d", chunk.Data));
        return c;
    }

    public static NpgsqlBatchCommand Upsert(ProducerRow producer)
    {
        var c = new NpgsqlBatchCommand(
            "INSERT INTO switchboard_stream_producers (stream_id, producer, epoch, last_seq) VALUES (@s, @p, @e, @q) " +
            "ON CONFLICT (stream_id, producer) DO UPDATE SET epoch = EXCLUDED.epoch, last_seq = EXCLUDED.last_seq;");
        c.Parameters.Add(new NpgsqlParameter<long>("s", producer.StreamId));
        c.Parameters.Add(new NpgsqlParameter<string>("p", producer.ProducerId));
        c.Parameters.Add(new NpgsqlParameter<long>("e", producer.Epoch));
        c.Parameters.Add(new NpgsqlParameter<long>("q", producer.LastSeq));
        return c;
    }

    /// <summary>NOTIFYs carrying <paramref name="advances"/>, as few as fit PostgreSQL's payload limit. Transactional: sent on commit.</summary>
    public static IEnumerable<NpgsqlBatchCommand> Notify(IReadOnlyList<StreamAdvance> advances)
    {
        var payload = new StringBuilder();
        foreach (var a in advances)
        {
            var entry = string.Create(CultureInfo.InvariantCulture, $"{a.StreamId}:{a.Tail}:{(a.Closed ? 1 : 0)}:{(a.Ended ? 1 : 0)}");
            if (payload.Length > 0 && payload.Length + entry.Length + 1 > MaxPayload)
            {
                yield return NotifyCommand(payload.ToString());
                payload.Clear();
            }

            payload.Append(payload.Length > 0 ? ";" : "").Append(entry);
        }

        if (payload.Length > 0)
        {
            yield return NotifyCommand(payload.ToString());
        }
    }

    /// <summary>The advances a NOTIFY payload names; malformed entries are skipped (nothing but this store writes the channel).</summary>
    public static List<StreamAdvance> ParseNotify(string payload)
    {
        var advances = new List<StreamAdvance>();
        foreach (var entry in payload.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split(':');
            if (parts.Length == 4 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var tail))
            {
                advances.Add(new StreamAdvance(id, tail, parts[2] == "1", parts[3] == "1"));
            }
        }

        return advances;
    }

    private static NpgsqlBatchCommand NotifyCommand(string payload)
    {
        var c = new NpgsqlBatchCommand("SELECT pg_notify(@channel, @payload);");
        c.Parameters.Add(new NpgsqlParameter<string>("channel", PostgresStreamSchema.Channel));
        c.Parameters.Add(new NpgsqlParameter<string>("payload", payload));
        return c;
    }

    private static NpgsqlParameter Nullable(string name, object? value, NpgsqlTypes.NpgsqlDbType type) =>
        new(name, value ?? DBNull.Value) { NpgsqlDbType = type };
}

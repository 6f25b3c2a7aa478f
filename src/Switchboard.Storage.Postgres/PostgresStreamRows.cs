using System.Globalization;
using System.Text;
using Npgsql;
using Switchboard.Core.Streams;

namespace Switchboard.Storage.Postgres;

/// <summary>Stream writes as batch commands, and advances to and from NOTIFY payloads.</summary>
internal static class PostgresStreamRows
{
    /// <summary>The most a NOTIFY payload may carry (PostgreSQL's limit is 8,000 bytes).</summary>
    private const int MaxPayload = 7900;

    /// <summary>A batch command of <paramref name="sql"/> with <paramref name="args"/> (as <see cref="Switchboard.Core.Storage.Sql.SqlConnectionScope"/> binds them).</summary>
    public static NpgsqlBatchCommand Command(string sql, (string Name, object? Value)[] args)
    {
        var c = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in args)
        {
            c.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
        }

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
}

using System.Text.Json;
using Microsoft.Data.Sqlite;
using Switchboard.Streams;

namespace Switchboard.Storage.Sqlite;

/// <summary>Stream rows to and from SQLite (columns as <see cref="SqliteStreamSchema.Columns"/> lists them).</summary>
internal static class SqliteStreamRows
{
    public static StreamRow Read(SqliteDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Path = r.IsDBNull(1) ? null : r.GetString(1),
        ContentType = r.GetString(2),
        Tail = r.GetInt64(3),
        Closed = r.GetInt64(4) != 0,
        ClosedBy = r.IsDBNull(5) ? null : new ProducerTuple(r.GetString(5), r.GetInt64(6), r.GetInt64(7)),
        StreamSeq = r.IsDBNull(8) ? null : r.GetString(8),
        TtlSeconds = r.IsDBNull(9) ? null : r.GetInt64(9),
        ExpiresAt = Time(r, 10),
        AccessedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)),
        DueAt = Time(r, 12),
        ForkOf = r.IsDBNull(13) ? null : r.GetInt64(13),
        ForkAt = r.GetInt64(14),
        Forks = r.GetInt64(15),
        State = (StreamLifecycle)r.GetInt64(16),
        Owner = r.GetString(17),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(18)),
    };

    public static List<StreamRow> ReadAll(SqliteCommand command)
    {
        var rows = new List<StreamRow>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(Read(reader));
        }

        return rows;
    }

    /// <summary>Binds every column as <c>$id</c>, <c>$path</c>, … (the names of <see cref="SqliteStreamSchema.Columns"/>).</summary>
    public static void Bind(SqliteCommand command, StreamRow row)
    {
        var p = command.Parameters;
        p.Clear();
        p.AddWithValue("$id", row.Id);
        p.AddWithValue("$path", (object?)row.Path ?? DBNull.Value);
        p.AddWithValue("$content_type", row.ContentType);
        p.AddWithValue("$tail", row.Tail);
        p.AddWithValue("$closed", row.Closed ? 1 : 0);
        p.AddWithValue("$closed_producer", (object?)row.ClosedBy?.ProducerId ?? DBNull.Value);
        p.AddWithValue("$closed_epoch", (object?)row.ClosedBy?.Epoch ?? DBNull.Value);
        p.AddWithValue("$closed_seq", (object?)row.ClosedBy?.Seq ?? DBNull.Value);
        p.AddWithValue("$stream_seq", (object?)row.StreamSeq ?? DBNull.Value);
        p.AddWithValue("$ttl_seconds", (object?)row.TtlSeconds ?? DBNull.Value);
        p.AddWithValue("$expires_at", (object?)row.ExpiresAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        p.AddWithValue("$accessed_at", row.AccessedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$due_at", (object?)row.DueAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        p.AddWithValue("$fork_of", (object?)row.ForkOf ?? DBNull.Value);
        p.AddWithValue("$fork_at", row.ForkAt);
        p.AddWithValue("$forks", row.Forks);
        p.AddWithValue("$state", (int)row.State);
        p.AddWithValue("$owner", row.Owner);
        p.AddWithValue("$created_at", row.CreatedAt.ToUnixTimeMilliseconds());
    }

    /// <summary>
    /// The chunks overlapping <paramref name="ranges"/>, in order, as many as fit <paramref name="maxBytes"/> (at least one).
    /// Each range is an index scan that stops as soon as the budget is spent, so a read of a long stream's start costs
    /// no more than the slice it returns.
    /// </summary>
    public static IReadOnlyList<StreamChunk> ReadChunks(SqliteConnection connection, SqliteTransaction? transaction, IReadOnlyList<ChunkRange> ranges, long maxBytes)
    {
        var chunks = new List<StreamChunk>();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            "SELECT stream_id, start_pos, end_pos, data FROM stream_chunks WHERE stream_id = $s AND end_pos > $from AND start_pos < $to ORDER BY end_pos;";
        var stream = command.Parameters.Add("$s", SqliteType.Integer);
        var from = command.Parameters.Add("$from", SqliteType.Integer);
        var to = command.Parameters.Add("$to", SqliteType.Integer);
        var budget = Math.Max(1, maxBytes);
        foreach (var range in ranges)
        {
            if (budget <= 0)
            {
                break;
            }

            (stream.Value, from.Value, to.Value) = (range.StreamId, range.From, range.To);
            using var r = command.ExecuteReader();
            while (budget > 0 && r.Read())
            {
                var data = (byte[])r.GetValue(3);
                chunks.Add(new StreamChunk(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), data));
                budget -= data.Length;
            }
        }

        return chunks;
    }

    /// <summary>A JSON array of strings, for a <c>json_each</c> parameter.</summary>
    public static string JsonArray(IEnumerable<string> values)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static DateTimeOffset? Time(SqliteDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(ordinal));
}

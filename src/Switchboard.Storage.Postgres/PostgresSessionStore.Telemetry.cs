using Npgsql;
using Switchboard.Writes;

namespace Switchboard.Storage.Postgres;

internal sealed partial class PostgresSessionStore
{
    /// <summary>
    /// Records the batch's telemetry keys in the write transaction with one statement, and drops the observations whose
    /// key another transaction (this node's or another's) committed first. Writers hold the log row's lock here, so two
    /// nodes never both count the same key.
    /// </summary>
    private async Task<IReadOnlyList<SessionWrite>> DedupeTelemetryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<SessionWrite> writes, CancellationToken ct)
    {
        var keys = TelemetryDedupe.Keys(writes);
        if (keys.Count == 0)
        {
            return writes;
        }

        await using var command = new NpgsqlCommand(
            "INSERT INTO switchboard_telemetry_keys (key, at) SELECT k, @at FROM unnest(@keys) AS k ON CONFLICT (key) DO NOTHING RETURNING key;",
            connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]>("keys", [.. keys]));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", Now()));
        var fresh = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            fresh.Add(reader.GetString(0));
        }

        return TelemetryDedupe.Keep(writes, fresh);
    }

    /// <summary>
    /// Turns the batch's cumulative metric points into the usage they add, against each stream's last point as the
    /// database has it, and records the streams' new last points, in the write transaction (<see cref="TelemetryStreams"/>).
    /// Writers hold the log row's lock here, so two nodes never measure against the same last point.
    /// </summary>
    private async Task<IReadOnlyList<SessionWrite>> ResolveStreamsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<SessionWrite> writes, CancellationToken ct)
    {
        var ids = TelemetryStreams.Ids(writes);
        if (ids.Count == 0)
        {
            return writes;
        }

        var before = new Dictionary<string, StreamState>(StringComparer.Ordinal);
        await using (var select = new NpgsqlCommand(
            "SELECT stream, started, ended, total FROM switchboard_telemetry_streams WHERE stream = ANY(@ids);", connection, transaction))
        {
            select.Parameters.Add(new NpgsqlParameter<string[]>("ids", [.. ids]));
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                before[reader.GetString(0)] = new StreamState(unchecked((ulong)reader.GetInt64(1)), unchecked((ulong)reader.GetInt64(2)), reader.GetDecimal(3));
            }
        }

        var (resolved, after) = TelemetryStreams.Resolve(writes, before);
        if (after.Count > 0)
        {
            await using var upsert = new NpgsqlCommand(
                "INSERT INTO switchboard_telemetry_streams (stream, started, ended, total, at) " +
                "SELECT s, b, e, t, @at FROM unnest(@streams, @starts, @ends, @totals) AS u(s, b, e, t) " +
                "ON CONFLICT (stream) DO UPDATE SET started = excluded.started, ended = excluded.ended, total = excluded.total, at = excluded.at;",
                connection, transaction);
            upsert.Parameters.Add(new NpgsqlParameter<string[]>("streams", [.. after.Keys]));
            upsert.Parameters.Add(new NpgsqlParameter<long[]>("starts", [.. after.Values.Select(v => unchecked((long)v.Start))]));
            upsert.Parameters.Add(new NpgsqlParameter<long[]>("ends", [.. after.Values.Select(v => unchecked((long)v.End))]));
            upsert.Parameters.Add(new NpgsqlParameter<decimal[]>("totals", [.. after.Values.Select(v => v.Total)]));
            upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", Now()));
            await upsert.ExecuteNonQueryAsync(ct);
        }

        return resolved;
    }
}

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
}

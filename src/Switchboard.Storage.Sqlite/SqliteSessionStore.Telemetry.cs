using System.Text;
using Microsoft.Data.Sqlite;
using Switchboard.Writes;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteSessionStore
{
    private const int KeysPerStatement = 500; // well under SQLite's bound-parameter limit

    /// <summary>
    /// Records the batch's telemetry keys in the write transaction, a few hundred rows per statement, and drops the
    /// observations whose key was there already (<see cref="TelemetryDedupe"/>).
    /// </summary>
    private IReadOnlyList<SessionWrite> DedupeTelemetry(SqliteTransaction transaction, IReadOnlyList<SessionWrite> writes)
    {
        var keys = TelemetryDedupe.Keys(writes);
        if (keys.Count == 0)
        {
            return writes;
        }

        var fresh = new HashSet<string>(StringComparer.Ordinal);
        var at = Now().ToUnixTimeMilliseconds();
        for (var start = 0; start < keys.Count; start += KeysPerStatement)
        {
            var count = Math.Min(KeysPerStatement, keys.Count - start);
            using var command = _writer!.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder("INSERT INTO telemetry_keys (key, at) VALUES ");
            for (var i = 0; i < count; i++)
            {
                sql.Append(i == 0 ? "($k" : ", ($k").Append(i).Append(", $at)");
                command.Parameters.AddWithValue("$k" + i, keys[start + i]);
            }

            sql.Append(" ON CONFLICT (key) DO NOTHING RETURNING key;");
            command.Parameters.AddWithValue("$at", at);
            command.CommandText = sql.ToString();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                fresh.Add(reader.GetString(0));
            }
        }

        return TelemetryDedupe.Keep(writes, fresh);
    }

    /// <summary>Forgets telemetry keys older than the dedupe window.</summary>
    private void PurgeTelemetryKeys(DateTimeOffset now)
    {
        using var command = _writer!.CreateCommand();
        command.CommandText = "DELETE FROM telemetry_keys WHERE at < $cut;";
        command.Parameters.AddWithValue("$cut", (now - TelemetryDedupe.Window).ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    }
}

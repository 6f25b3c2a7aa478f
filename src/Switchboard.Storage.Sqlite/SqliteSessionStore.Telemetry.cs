using Microsoft.Data.Sqlite;
using Switchboard.Writes;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteSessionStore
{
    /// <summary>
    /// Records the batch's telemetry keys in the write transaction and drops the observations whose key was there already
    /// (<see cref="TelemetryDedupe"/>). One prepared single-row insert per key, bound by position: a multi-row statement
    /// of hundreds of named parameters cost more to prepare and bind (SQLite looks each name up in a list) than the rows
    /// cost to insert.
    /// </summary>
    private IReadOnlyList<SessionWrite> DedupeTelemetry(WriterCommands commands, IReadOnlyList<SessionWrite> writes)
    {
        var keys = TelemetryDedupe.Keys(writes);
        if (keys.Count == 0)
        {
            return writes;
        }

        var fresh = new HashSet<string>(StringComparer.Ordinal);
        var at = Now().ToUnixTimeMilliseconds();
        var insert = commands.InsertTelemetryKey;
        foreach (var key in keys)
        {
            insert.Bind(1, key);
            insert.Bind(2, at);
            if (insert.ExecuteChanges() > 0)
            {
                fresh.Add(key);
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

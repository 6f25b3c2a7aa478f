using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// SQLite's own limit on this machine for the work one ingested update needs: on the very database file the ingest
/// run left behind (same schema, indexes and sessions), one thread updates a session row and appends its event with
/// prepared statements bound by position, 1,000 updates per transaction, at the server's pragmas (WAL,
/// <c>synchronous=NORMAL</c>). No HTTP, JSON, validation, projection or fan-out: what is left is what SQLite costs.
/// </summary>
internal static class SqliteCeiling
{
    private const int UpdatesPerTransaction = 1000;

    public static IngestResult Measure(string databasePath, int sessions, TimeSpan duration, TextWriter log)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Pooling = false,
        }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, "PRAGMA synchronous=NORMAL;");

        // A real event body of the same kind, so every insert writes as many bytes as the server's.
        byte[] data;
        using (var sample = connection.CreateCommand())
        {
            sample.CommandText = "SELECT data FROM events WHERE type = 'session_updated' ORDER BY seq DESC LIMIT 1;";
            data = sample.ExecuteScalar() as byte[] ?? throw new InvalidOperationException("The ingest run left no session_updated event to copy.");
        }

        using var update = Prepare(connection,
            "UPDATE sessions SET tasks_running = ?1, updated_at = ?2, version = version + 1 WHERE id = ?3;", 3);
        using var insert = Prepare(connection,
            "INSERT INTO events(at, type, session_id, data, labels, prior_labels) VALUES (?1, 'session_updated', ?2, ?3, NULL, NULL);", 3);
        var ids = Enumerable.Range(0, sessions).Select(i => $"ingest-{i}").ToArray();

        long updates = 0;
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            using var transaction = connection.BeginTransaction();
            update.Transaction = transaction;
            insert.Transaction = transaction;
            for (var i = 0; i < UpdatesPerTransaction; i++, updates++)
            {
                var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var id = ids[updates % sessions];
                update.Parameters[0].Value = updates % 1_000_000;
                update.Parameters[1].Value = at;
                update.Parameters[2].Value = id;
                if (update.ExecuteNonQuery() != 1)
                {
                    throw new InvalidOperationException($"Session {id} is missing from the ingest database.");
                }

                insert.Parameters[0].Value = at;
                insert.Parameters[1].Value = id;
                insert.Parameters[2].Value = data;
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        var result = new IngestResult($"raw SQLite loop (prepared statements, {UpdatesPerTransaction:N0} updates per transaction, 1 thread)",
            updates, updates, seconds, cpu);
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] ingest ceiling: {updates:N0} updates, {result.PerSecond:N0} updates/s, " +
            $"CPU {cpu:F2} s ({result.CpuMicrosPerUpdate:F1} µs/update)");
        return result;
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, int parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 1; i <= parameters; i++)
        {
            command.Parameters.Add(new SqliteParameter($"?{i}", null));
        }

        command.Prepare();
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

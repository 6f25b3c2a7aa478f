using Switchboard.Core.Sessions;
using Switchboard.Core.UsageRollups;
using Switchboard.Core.Writes;
using Switchboard.Storage.Sqlite;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Writes a usage history into a fresh SQLite database through the real store (the same write path, rollups in the same
/// transaction), with the store's clock stepped evenly across <c>span</c> so the events fall into every hour of it.
/// </summary>
internal static class UsageHistory
{
    private const int WritesPerBatch = 1000;

    public static async Task<long> WriteAsync(string databasePath, long events, int sessions, int teams, int models, TimeSpan span, TextWriter log)
    {
        var end = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
        var clock = new SteppedClock(end - span);
        var options = new SqliteStoreOptions(databasePath) { Usage = new UsageOptions { GroupBy = ["team", "model"] } };
        await using var store = new SqliteSessionStore(options, clock);
        await store.InitializeAsync(CancellationToken.None);

        var creates = Enumerable.Range(0, sessions).Select(i => (SessionWrite)new CreateSession
        {
            Id = $"h-{i}",
            State = SessionState.Working,
            Labels = new Dictionary<string, string> { ["team"] = $"team-{i % teams:00}", ["model"] = $"model-{i / teams % models}" },
        }).ToList();
        await store.WriteAsync(creates, CancellationToken.None);

        var written = (long)sessions;
        var batches = (events - sessions + WritesPerBatch - 1) / WritesPerBatch;
        var step = span / Math.Max(1, batches);
        for (var b = 0L; b < batches; b++)
        {
            clock.Now = end - span + step * (b + 1);
            var count = (int)Math.Min(WritesPerBatch, events - written);
            var writes = new List<SessionWrite>(count);
            for (var i = 0; i < count; i++)
            {
                var n = written + i;
                writes.Add(new AddUsage($"h-{n % sessions}") { InputTokens = 100 + n % 900, OutputTokens = n % 300, CostUsd = 0.0012m });
            }

            await store.WriteAsync(writes, CancellationToken.None);
            written += count;
            if (b % 100 == 99)
            {
                log.WriteLine($"[{DateTime.Now:HH:mm:ss}] usage query: {written:N0} of {events:N0} events written");
            }
        }

        return written;
    }

    /// <summary>Time as the writer says it is.</summary>
    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.UsageRollups;

namespace Switchboard.Storage.Tests;

/// <summary>
/// Recomputes every usage rollup from the event log, written independently of the store's rollup code: replay the log
/// session by session and count what each event changed.
/// </summary>
internal static class UsageRecount
{
    public static Dictionary<UsageKey, UsageCounters> FromLog(IReadOnlyList<EventRecord> events, IReadOnlyList<string> groupBy)
    {
        var sessions = new Dictionary<string, Session>(StringComparer.Ordinal);
        var expected = new Dictionary<UsageKey, UsageCounters>();
        foreach (var e in events.OrderBy(e => e.Seq))
        {
            if (e.SessionId is null)
            {
                continue;
            }

            var before = sessions.GetValueOrDefault(e.SessionId);
            var after = SessionEventApplier.Apply(before, e with { Session = null })!;
            sessions[e.SessionId] = after;

            var counts = new UsageCounters
            {
                InputTokens = after.InputTokens - (before?.InputTokens ?? 0),
                OutputTokens = after.OutputTokens - (before?.OutputTokens ?? 0),
                CostUsd = after.CostUsd - (before?.CostUsd ?? 0),
                SessionsCreated = e.Type == EventTypes.SessionCreated ? 1 : 0,
                SessionsTerminated = e.Type == EventTypes.SessionTerminated ? 1 : 0,
                SessionsErrored = after.State == SessionState.Error && (before is null || before.State != SessionState.Error) ? 1 : 0,
                BusyMilliseconds = before is { State: SessionState.Working } ? (long)(e.At - before.UpdatedAt).TotalMilliseconds : 0,
            };

            var groups = new List<(string Key, string Value, long Active)>
            {
                ("", "", sessions.Values.Count(s => s.IsActive)),
            };
            foreach (var key in groupBy)
            {
                if (after.Labels.TryGetValue(key, out var value))
                {
                    groups.Add((key, value, sessions.Values.Count(s => s.IsActive && s.Labels.TryGetValue(key, out var v) && v == value)));
                }
            }

            foreach (var (key, value, active) in groups)
            {
                foreach (var (bucket, length) in new[] { (UsageBucket.Minute, 60_000L), (UsageBucket.Hour, 3_600_000L), (UsageBucket.Day, 86_400_000L) })
                {
                    var ms = e.At.ToUnixTimeMilliseconds();
                    var rowKey = new UsageKey(bucket, DateTimeOffset.FromUnixTimeMilliseconds(ms - (ms % length)), key, value);
                    if (!expected.TryGetValue(rowKey, out var row))
                    {
                        expected[rowKey] = row = new UsageCounters();
                    }

                    row.InputTokens += counts.InputTokens;
                    row.OutputTokens += counts.OutputTokens;
                    row.CostUsd += counts.CostUsd;
                    row.SessionsCreated += counts.SessionsCreated;
                    row.SessionsTerminated += counts.SessionsTerminated;
                    row.SessionsErrored += counts.SessionsErrored;
                    row.BusyMilliseconds += counts.BusyMilliseconds;
                    row.PeakActive = Math.Max(row.PeakActive, active);
                }
            }
        }

        return expected;
    }

    /// <summary>Every rollup row of the store, for every bucket size and group.</summary>
    public static async Task<Dictionary<UsageKey, UsageCounters>> ReadAllAsync(ISessionStore store, IReadOnlyList<string> groupBy)
    {
        var all = new Dictionary<UsageKey, UsageCounters>();
        foreach (var bucket in UsageBuckets.All)
        {
            foreach (var key in groupBy.Prepend(null))
            {
                var result = await store.ReadUsageAsync(new UsageQuery
                {
                    Bucket = bucket,
                    Since = DateTimeOffset.UnixEpoch,
                    Until = new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero),
                    GroupKey = key,
                }, CancellationToken.None);
                foreach (var row in result.Rows)
                {
                    all[row.Key] = row.Counters;
                }
            }
        }

        return all;
    }

    /// <summary>Asserts the store's rollups equal the recount, row by row, with a readable difference.</summary>
    public static void ShouldMatch(Dictionary<UsageKey, UsageCounters> actual, Dictionary<UsageKey, UsageCounters> expected)
    {
        var missing = expected.Keys.Except(actual.Keys).ToList();
        var extra = actual.Keys.Except(expected.Keys).ToList();
        missing.ShouldBeEmpty("rollup rows the log implies but the store lacks");
        extra.ShouldBeEmpty("rollup rows the store has but the log does not imply");
        foreach (var (key, row) in expected)
        {
            var stored = actual[key];
            (stored with { CostUsd = decimal.Round(stored.CostUsd, 20) }).ShouldBe(row with { CostUsd = decimal.Round(row.CostUsd, 20) }, key.ToString());
        }
    }
}

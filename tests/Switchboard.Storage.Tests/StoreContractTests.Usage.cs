using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.UsageRollups;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Tests;

/// <summary>Usage rollups: maintained with the events, equal to a recount of the log, kept after the events are purged.</summary>
public abstract partial class StoreContractTests
{
    /// <summary>The rollup settings every contract store opens with.</summary>
    private protected static UsageOptions TestUsage { get; } = new() { GroupBy = ["team", "model"] };

    private static readonly DateTimeOffset Forever = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, string> Labels(params string[] pairs) =>
        pairs.Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    private static async Task<UsageResult> ReadUsage(ISessionStore store, UsageBucket bucket, string? groupKey = null) =>
        await store.ReadUsageAsync(new UsageQuery { Bucket = bucket, Since = DateTimeOffset.UnixEpoch, Until = Forever, GroupKey = groupKey }, CancellationToken.None);

    [Fact]
    public async Task RollupsCountTokensCostSessionsAndBusyTimePerBucketAndLabel()
    {
        var store = await OpenAsync();
        var start = Time.GetUtcNow(); // 12:00:00 UTC
        await WriteOne(store, new CreateSession { Id = "a", Labels = Labels("team=red", "model=m1") });
        await WriteOne(store, new CreateSession { Id = "b", Labels = Labels("team=blue") });
        await WriteOne(store, new UpdateSession("a") { State = SessionState.Working });
        Time.Advance(TimeSpan.FromSeconds(30));
        await WriteOne(store, new AddUsage("a") { InputTokens = 100, OutputTokens = 20, CostUsd = 0.25m });
        Time.Advance(TimeSpan.FromSeconds(45)); // 12:01:15
        await WriteOne(store, new AddUsage("b") { InputTokens = 7, CostUsd = 0.01m });
        await WriteOne(store, new UpdateSession("a") { State = SessionState.Error, ErrorMessage = "boom" });
        await WriteOne(store, new TerminateSession("b"));

        var hours = await ReadUsage(store, UsageBucket.Hour);
        hours.AsOfSeq.ShouldBe(7);
        var all = hours.Rows.ShouldHaveSingleItem();
        all.Key.ShouldBe(new UsageKey(UsageBucket.Hour, start, "", ""));
        all.Counters.InputTokens.ShouldBe(107);
        all.Counters.OutputTokens.ShouldBe(20);
        all.Counters.TotalTokens.ShouldBe(127);
        all.Counters.CostUsd.ShouldBe(0.26m);
        all.Counters.SessionsCreated.ShouldBe(2);
        all.Counters.SessionsTerminated.ShouldBe(1);
        all.Counters.SessionsErrored.ShouldBe(1);
        all.Counters.BusyMilliseconds.ShouldBe(75_000, "a was working from 12:00:00 to 12:01:15");
        all.Counters.PeakActive.ShouldBe(2);

        var minutes = await ReadUsage(store, UsageBucket.Minute, "team");
        minutes.Rows.Select(r => (r.Key.Start.Minute, r.Key.GroupValue)).ShouldBe([(0, "blue"), (0, "red"), (1, "blue"), (1, "red")]);
        var red0 = minutes.Rows[1].Counters;
        (red0.InputTokens, red0.CostUsd, red0.SessionsCreated, red0.BusyMilliseconds, red0.PeakActive).ShouldBe((100L, 0.25m, 1L, 30_000L, 1L));
        var blue1 = minutes.Rows[2].Counters;
        (blue1.InputTokens, blue1.SessionsTerminated, blue1.PeakActive).ShouldBe((7L, 1L, 1L));

        var models = await ReadUsage(store, UsageBucket.Day, "model");
        models.Rows.ShouldHaveSingleItem().Key.GroupValue.ShouldBe("m1", "b has no model label");
        (await ReadUsage(store, UsageBucket.Day, "project")).Rows.ShouldBeEmpty("project is not a group-by label");

        var filtered = await store.ReadUsageAsync(new UsageQuery
        {
            Bucket = UsageBucket.Hour, Since = start, Until = start.AddHours(1), GroupKey = "team", GroupValues = ["red"],
        }, CancellationToken.None);
        filtered.Rows.ShouldHaveSingleItem().Key.GroupValue.ShouldBe("red");
        (await store.ReadUsageAsync(new UsageQuery { Bucket = UsageBucket.Hour, Since = start.AddHours(1), Until = Forever }, CancellationToken.None))
            .Rows.ShouldBeEmpty("the range excludes the bucket");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task RandomWorkloadsAcrossRestartsLeaveRollupsEqualToARecountOfTheLog(int seed)
    {
        var random = new Random(seed);
        var store = await OpenAsync();
        var ids = new List<string>();
        var teams = new[] { "red", "blue", "green" };
        var models = new[] { "m1", "m2" };
        for (var round = 0; round < 6; round++)
        {
            for (var i = 0; i < 40; i++)
            {
                Time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 3) switch { 0 => random.Next(1, 2_000), 1 => random.Next(1, 120_000), _ => random.Next(1, 7_200_000) }));
                var writes = new List<SessionWrite>();
                for (var n = random.Next(1, 5); n > 0; n--)
                {
                    writes.Add(RandomWrite(random, ids, teams, models));
                }

                await store.WriteAsync(writes, CancellationToken.None);
            }

            // A restart: the active counts per label are rebuilt from the sessions and the rollups carry on.
            await CloseAsync(store);
            store = await OpenAsync();
        }

        var events = await store.ReadEventsAsync(new EventQuery { Limit = 100_000 }, CancellationToken.None);
        events.Count.ShouldBeGreaterThan(200);
        UsageRecount.ShouldMatch(await UsageRecount.ReadAllAsync(store, TestUsage.GroupBy), UsageRecount.FromLog(events, TestUsage.GroupBy));
    }

    internal static SessionWrite RandomWrite(Random random, List<string> ids, string[] teams, string[] models)
    {
        var pick = ids.Count == 0 ? 0 : random.Next(0, 10);
        if (pick == 0)
        {
            var id = "s" + ids.Count;
            ids.Add(id);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = teams[random.Next(teams.Length)] };
            if (random.Next(2) == 0)
            {
                labels["model"] = models[random.Next(models.Length)];
            }

            return new CreateSession { Id = id, Labels = labels, InputTokens = random.Next(0, 50), CostUsd = random.Next(0, 3) * 0.001m };
        }

        var target = ids[random.Next(ids.Count)];
        return pick switch
        {
            1 or 2 or 3 => new AddUsage(target) { InputTokens = random.Next(0, 5_000), OutputTokens = random.Next(0, 900), CostUsd = random.Next(0, 1_000) * 0.0001m },
            4 or 5 => new UpdateSession(target)
            {
                State = random.Next(4) switch { 0 => SessionState.Working, 1 => SessionState.Idle, 2 => SessionState.Waiting, _ => SessionState.Paused },
            },
            6 => new UpdateSession(target) { State = SessionState.Error, ErrorMessage = "failed" },
            7 => new UpdateSession(target) { Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = teams[random.Next(teams.Length)] } },
            _ => new TerminateSession(target),
        };
    }

    [Fact]
    public async Task PurgingTheEventsLeavesTheRollupsUnchanged()
    {
        var store = await OpenAsync();
        var random = new Random(7);
        var ids = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            Time.Advance(TimeSpan.FromMinutes(random.Next(1, 20)));
            await store.WriteAsync([RandomWrite(random, ids, ["red", "blue"], ["m1"])], CancellationToken.None);
        }

        var before = await UsageRecount.ReadAllAsync(store, TestUsage.GroupBy);
        Time.Advance(TimeSpan.FromDays(2));
        var purged = await store.PurgeAsync(RetentionPolicy.Default, Time.GetUtcNow(), CancellationToken.None);
        purged.ShouldBeGreaterThan(0);
        (await store.ReadEventsAsync(new EventQuery(), CancellationToken.None)).ShouldBeEmpty();

        UsageRecount.ShouldMatch(await UsageRecount.ReadAllAsync(store, TestUsage.GroupBy), before);
        (await store.PurgeUsageAsync(Time.GetUtcNow(), CancellationToken.None)).ShouldBe(0, "rollups are kept 90 days");
    }

    [Fact]
    public async Task UsageRetentionDropsOnlyBucketsOlderThanTheirSizesRetention()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "a", Labels = Labels("team=red") });
        Time.Advance(TimeSpan.FromDays(89));
        await WriteOne(store, new AddUsage("a") { InputTokens = 1 });
        Time.Advance(TimeSpan.FromDays(2)); // the first writes are 91 days old, the second 2

        var deleted = await store.PurgeUsageAsync(Time.GetUtcNow(), CancellationToken.None);
        deleted.ShouldBe(6, "minute, hour and day rows of 'all' and team=red from 91 days ago");
        var hours = await ReadUsage(store, UsageBucket.Hour);
        hours.Rows.ShouldHaveSingleItem().Counters.InputTokens.ShouldBe(1);
    }
}

using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary><see cref="SwitchboardClient.GetUsageHistoryAsync"/> against a real server that rolls up by model.</summary>
public sealed class UsageHistoryTests : IAsyncLifetime
{
    private SwitchboardServer _server = null!;
    private SwitchboardClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await SwitchboardServer.StartAsync(o => o.Usage.GroupBy.Add("model"));
        _client = new SwitchboardClient(_server.BaseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task UsageHistoryIsTypedPerBucketAndLabelWithAsOfSeq()
    {
        await _client.CreateSessionAsync(new NewSession { Id = "h1", Labels = new Dictionary<string, string> { ["model"] = "big" }, State = SessionState.Working });
        await _client.CreateSessionAsync(new NewSession { Id = "h2", Labels = new Dictionary<string, string> { ["model"] = "small" } });
        await _client.AddUsageAsync("h1", new Usage(InputTokens: 900, OutputTokens: 100, CostUsd: 0.125m));
        await _client.AddUsageAsync("h2", new Usage(InputTokens: 5, CostUsd: 0.001m));
        var head = (await _client.GetEventsAsync()).HeadSeq;

        var fleet = await _client.GetUsageHistoryAsync();
        fleet.Bucket.ShouldBe(UsageBucketSize.Hour);
        fleet.GroupBy.ShouldBe("all");
        fleet.AsOfSeq.ShouldBe(head);
        var series = fleet.Series.ShouldHaveSingleItem();
        series.Group.ShouldBeEmpty();
        series.Points.Sum(p => p.TotalTokens).ShouldBe(1005);
        series.Points.Sum(p => p.CostUsd).ShouldBe(0.126m);
        series.Points.Sum(p => p.SessionsCreated).ShouldBe(2);
        series.Points.Max(p => p.PeakActiveSessions).ShouldBe(2);

        var byModel = await _client.GetUsageHistoryAsync(new UsageHistoryQuery
        {
            Bucket = UsageBucketSize.Minute, Since = DateTimeOffset.UtcNow.AddMinutes(-10), GroupByLabel = "model", Values = ["big"],
        });
        byModel.GroupBy.ShouldBe("label:model");
        var big = byModel.Series.ShouldHaveSingleItem();
        big.Group["model"].ShouldBe("big");
        big.Points.Sum(p => p.InputTokens).ShouldBe(900);
        big.Points.ShouldAllBe(p => p.Start.Second == 0 && p.Start.Offset == TimeSpan.Zero);

        var refused = await Should.ThrowAsync<SwitchboardApiException>(() => _client.GetUsageHistoryAsync(new UsageHistoryQuery { GroupByLabel = "team" }));
        refused.StatusCode.ShouldBe(400);
        refused.Field.ShouldBe("group_by");
        var range = await Should.ThrowAsync<SwitchboardApiException>(() => _client.GetUsageHistoryAsync(new UsageHistoryQuery
        {
            Since = DateTimeOffset.UtcNow, Until = DateTimeOffset.UtcNow.AddHours(-1),
        }));
        range.Code.ShouldBe("invalid_range");
    }
}

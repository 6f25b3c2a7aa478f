using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary><c>GET /api/usage</c> on a real server: series per bucket and label with as_of_seq, and problem+json for bad queries.</summary>
public sealed class UsageApiTests : IAsyncLifetime
{
    private SwitchboardServer _server = null!;
    private HttpClient Http => _server.Http;

    public async ValueTask InitializeAsync() => _server = await SwitchboardServer.StartAsync(o => o.Usage.GroupBy.AddRange(["team", "model"]));

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task UsageIsReportedPerBucketAndLabelWithTheSeqItIsConsistentWith()
    {
        await Http.CreateAsync("u1", new { labels = new { team = "red", model = "m1" } });
        await Http.CreateAsync("u2", new { labels = new { team = "blue" } });
        await Http.PostAsync("/api/sessions/u1/usage", new { input_tokens = 1000, output_tokens = 200, cost_usd = 0.5 });
        await Http.PostAsync("/api/sessions/u2/usage", new { input_tokens = 30, cost_usd = 0.25 });
        await Http.PostAsync("/api/sessions/u2/terminate", new { reason = "done" });
        var head = (await Http.GetJsonAsync("/api/events?since=0")).Body.Long("head_seq");

        var (status, all, _) = await Http.GetJsonAsync("/api/usage?bucket=1h&since=2h");
        status.ShouldBe(200, all.ToString());
        all.Str("bucket").ShouldBe("1h");
        all.Str("group_by").ShouldBe("all");
        all.Long("as_of_seq").ShouldBe(head);
        var series = all.GetProperty("series").EnumerateArray().ShouldHaveSingleItem();
        series.GetProperty("group").EnumerateObject().ShouldBeEmpty();
        var points = series.GetProperty("points").EnumerateArray().ToList();
        points.Sum(p => p.Long("input_tokens")).ShouldBe(1030);
        points.Sum(p => p.Long("total_tokens")).ShouldBe(1230);
        points.Sum(p => p.GetProperty("cost_usd").GetDecimal()).ShouldBe(0.75m);
        points.Sum(p => p.Long("sessions_created")).ShouldBe(2);
        points.Sum(p => p.Long("sessions_terminated")).ShouldBe(1);
        points.Max(p => p.Long("peak_active_sessions")).ShouldBe(2);
        points.ShouldAllBe(p => p.Str("start").EndsWith(":00:00.000Z"));

        var byTeam = (await Http.GetJsonAsync("/api/usage?bucket=1m&group_by=label:team&since=30m")).Body;
        byTeam.Str("group_by").ShouldBe("label:team");
        var teams = byTeam.GetProperty("series").EnumerateArray().ToDictionary(s => s.GetProperty("group").Str("team"));
        teams.Keys.Order().ShouldBe(["blue", "red"]);
        teams["red"].GetProperty("points").EnumerateArray().Sum(p => p.Long("output_tokens")).ShouldBe(200);
        teams["blue"].GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("cost_usd").GetDecimal()).ShouldBe(0.25m);

        var onlyRed = (await Http.GetJsonAsync("/api/usage?bucket=1d&group_by=label:team&labels=team=red")).Body;
        onlyRed.GetProperty("series").EnumerateArray().ShouldHaveSingleItem().GetProperty("group").Str("team").ShouldBe("red");

        var now = DateTimeOffset.UtcNow;
        var absolute = (await Http.GetJsonAsync(
            $"/api/usage?bucket=1d&since={now.AddDays(-1):yyyy-MM-ddTHH:mm:ssZ}&until={now.AddMinutes(5):yyyy-MM-ddTHH:mm:ssZ}")).Body;
        absolute.GetProperty("series").EnumerateArray().Sum(s => s.GetProperty("points").EnumerateArray().Sum(p => p.Long("input_tokens"))).ShouldBe(1030);
    }

    [Theory]
    [InlineData("bucket=2h", "bucket")]
    [InlineData("since=yesterday", "since")]
    [InlineData("until=12", "until")]
    [InlineData("since=1h&until=2h", "since")]
    [InlineData("bucket=1m&since=30d", "since")]
    [InlineData("group_by=label:project", "group_by")]
    [InlineData("group_by=team", "group_by")]
    [InlineData("labels=team=red", "labels")]
    [InlineData("group_by=label:team&labels=model=m1", "labels")]
    public async Task BadQueriesAreProblems(string query, string field) =>
        (await Http.GetJsonAsync("/api/usage?" + query)).ShouldBeProblem(400, field);

    [Fact]
    public async Task BadRangesAndTooManyPointsHaveTheirOwnProblemTypes()
    {
        (await Http.GetJsonAsync("/api/usage?since=1h&until=2h")).Body.Str("type").ShouldEndWith("invalid_range");
        var tooMany = (await Http.GetJsonAsync("/api/usage?bucket=1m&since=30d")).Body;
        tooMany.Str("type").ShouldEndWith("too_many_points");
        tooMany.Str("detail").ShouldContain("43201");
    }

    [Fact]
    public async Task TimesPastWhatARangeCanHoldAre400sThatSayWhyWithoutAnErrorLogged()
    {
        (string Query, string Field, string Detail)[] cases =
        [
            ("since=3000000000h", "since", "more than 100 years"),
            ("bucket=1d&since=3153600000m", "since", "more than 100 years"),
            ("bucket=1d&since=36501d", "since", "more than 100 years"),
            ("since=99999999999999999999999s", "since", "more than 100 years"),
            ("since=1h&until=9999-12-31T23:30:00Z", "until", "at most 3000-01-01T00:00:00.000Z"),
        ];
        foreach (var (query, field, detail) in cases)
        {
            var answer = await Http.GetJsonAsync("/api/usage?" + query);
            answer.ShouldBeProblem(400, field);
            answer.Body.Str("detail").ShouldContain(detail, Case.Sensitive, query);
        }

        (await Http.GetJsonAsync("/api/usage?bucket=1d&since=3650d")).Status.ShouldBe(200, "ten years of days is a range");
        _server.Logs.Entries.ShouldNotContain(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesUsage()
    {
        var openapi = (await Http.GetJsonAsync("/openapi/v1.json")).Body;
        var get = openapi.GetProperty("paths").GetProperty("/api/usage").GetProperty("get");
        get.GetProperty("description").GetString()!.ShouldContain("as_of_seq");
        var schemas = openapi.GetProperty("components").GetProperty("schemas");
        schemas.GetProperty("UsageResponse").GetProperty("properties").TryGetProperty("as_of_seq", out _).ShouldBeTrue();
        schemas.GetProperty("UsagePoint").GetProperty("properties").TryGetProperty("peak_active_sessions", out _).ShouldBeTrue();
    }
}

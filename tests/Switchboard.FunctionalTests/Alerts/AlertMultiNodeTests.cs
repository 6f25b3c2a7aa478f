using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.MultiNode;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Alerts;

/// <summary>Two real nodes on one PostgreSQL database both evaluate every rule; the store keeps one open alert per rule and subject.</summary>
public sealed class AlertMultiNodeTests(PostgresClusterFixture postgres)
{
    private static readonly Dictionary<string, string> Rules = new()
    {
        ["Switchboard__Alerts__Rules__0__Id"] = "err",
        ["Switchboard__Alerts__Rules__0__Condition"] = "session_error",
        ["Switchboard__Alerts__Rules__1__Id"] = "crowd",
        ["Switchboard__Alerts__Rules__1__Condition"] = "active_count",
        ["Switchboard__Alerts__Rules__1__Threshold"] = "2",
    };

    [Fact]
    public async Task TwoNodesRaiseAndResolveEachAlertOnceAndTheSurvivorCarriesOn()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        using var dataA = new TempDirectory();
        using var dataB = new TempDirectory();
        string[] args = ["--store", "postgres", "--connection-string", db];
        await using var a = await ServerProcess.StartAsync(dataA.Path, args, Rules);
        await using var b = await ServerProcess.StartAsync(dataB.Path, args, Rules);
        using var httpA = Nodes.Http(a);
        using var httpB = Nodes.Http(b);

        await httpA.CreateAsync("s1", new { state = "error" });
        await httpB.CreateAsync("s2", new { state = "working" });
        await ExpectAsync(httpB, "err", "alert_raised s1");
        await ExpectAsync(httpA, "crowd", "alert_raised fleet");

        await a.KillAsync();
        (await httpB.PatchAsync("/api/sessions/s1", new { state = "idle" })).Status.ShouldBe(200);
        (await httpB.PostAsync("/api/sessions/s2/terminate")).Status.ShouldBe(200);
        await ExpectAsync(httpB, "err", "alert_raised s1", "alert_resolved s1");
        await ExpectAsync(httpB, "crowd", "alert_raised fleet", "alert_resolved fleet");
    }

    private static async Task ExpectAsync(HttpClient http, string rule, params string[] expected)
    {
        List<string> history = [];
        await TestTimeouts.Eventually(async () => (history = await HistoryAsync(http, rule)).SequenceEqual(expected), $"history of {rule}");
        // Both evaluators see the same log; give the other one time to (wrongly) add a duplicate, then look again.
        await Task.Delay(500);
        (await HistoryAsync(http, rule)).ShouldBe(expected);
    }

    private static async Task<List<string>> HistoryAsync(HttpClient http, string rule) =>
        (await http.EventsAsync())
            .Where(e => e.Str("type").StartsWith("alert_", StringComparison.Ordinal) && AlertKit.Alert(e).Str("rule_id") == rule)
            .Select(e => $"{e.Str("type")} {AlertKit.Alert(e).Str("subject")}")
            .ToList();
}

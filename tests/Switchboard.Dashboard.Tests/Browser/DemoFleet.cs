namespace Switchboard.Dashboard.Tests.Browser;

/// <summary>About twenty believable sessions in every state, for screenshots and for looking at the page.</summary>
public static class DemoFleet
{
    private sealed record Demo(string Id, string Name, string Team, string State, long In, long Out, decimal Cost, int Tasks, string? Error = null);

    private static readonly Demo[] Sessions =
    [
        new("changelog-bot", "Changelog bot", "docs", "idle", 6_400, 2_150, 0.0420m, 0),
        new("readme-typo", "Fix typo in README", "docs", "terminated", 1_200, 180, 0.0061m, 0),
        new("stale-issues", "Label stale issues", "support", "terminated", 14_200, 1_900, 0.0702m, 0),
        new("design-tokens", "Extract design tokens", "growth", "initializing", 0, 0, 0m, 0),
        new("schema-review", "Review schema migration 0042", "data", "paused", 18_450, 3_020, 0.0911m, 0),
        new("perf-report", "Weekly performance report", "sre", "terminating", 28_800, 6_400, 0.1450m, 0),
        new("onboarding-bot", "Onboarding assistant · acme-co", "support", "idle", 7_400, 5_100, 0.0510m, 0),
        new("data-backfill", "Backfill events table", "data", "error", 5_200, 800, 0.0240m, 0, "Lease expired: no heartbeat for 60 s"),
        new("eval-suite", "Run nightly eval suite", "ml", "working", 402_000, 98_000, 2.1480m, 6),
        new("code-gen-sdk", "Generate Go SDK from OpenAPI", "core", "working", 61_200, 48_800, 0.4410m, 2),
        new("security-audit", "Audit dependency licenses", "security", "initializing", 0, 0, 0m, 0),
        new("translate-ui", "Translate UI strings (de, fr, ja)", "growth", "working", 31_020, 29_870, 0.2550m, 3),
        new("summarize-incident", "Summarize incident INC-2291", "sre", "idle", 15_330, 2_980, 0.0781m, 0),
        new("index-repo", "Index monorepo for search", "search", "working", 240_500, 1_200, 0.5012m, 4),
        new("flaky-tests", "Quarantine flaky integration tests", "platform", "paused", 20_110, 4_320, 0.1033m, 0),
        new("migrate-billing", "Migrate billing to the v2 API", "payments", "error", 88_120, 10_400, 0.4120m, 0,
            "Rate limited by the model provider (429); retry budget exhausted"),
        new("triage-inbox", "Triage support inbox", "support", "working", 9_210, 2_205, 0.0412m, 1),
        new("release-notes", "Draft 2.4 release notes", "docs", "idle", 12_040, 3_310, 0.0561m, 0),
        new("refactor-parser", "Refactor expression parser", "core", "working", 132_400, 21_880, 0.7294m, 3),
        new("pr-review-4812", "Review PR #4812: retry budget", "platform", "waiting", 48_210, 6_120, 0.2311m, 0),
    ];

    public static int Count => Sessions.Length;

    public static int ActiveCount => Sessions.Count(s => s.State != "terminated");

    /// <summary>Creates the fleet in one batch.</summary>
    public static Task CreateAsync(HttpClient api)
    {
        var operations = new List<object>();
        foreach (var s in Sessions)
        {
            var model = s.Team is "ml" or "core" ? "opus" : "sonnet";
            var create = new Dictionary<string, object?>
            {
                ["op"] = "create",
                ["id"] = s.Id,
                ["name"] = s.Name,
                ["state"] = s.State is "terminated" or "terminating" or "error" ? "working" : s.State,
                ["labels"] = new Dictionary<string, string> { ["team"] = s.Team, ["model"] = model },
                ["metadata"] = new Dictionary<string, object> { ["repo"] = $"acme/{s.Team}", ["branch"] = $"agent/{s.Id}" },
                ["input_tokens"] = s.In,
                ["output_tokens"] = s.Out,
                ["cost_usd"] = s.Cost,
                ["tasks_running"] = s.Tasks,
            };
            operations.Add(create);
        }

        // Errors get a little history: some work, then the failure.
        foreach (var s in Sessions.Where(s => s.Error is not null))
        {
            operations.Add(new { op = "usage", id = s.Id, input_tokens = 2_400, output_tokens = 610, cost_usd = 0.0123m });
            operations.Add(new { op = "update", id = s.Id, state = "error", error_message = s.Error });
        }

        // Neither end state can be created directly.
        foreach (var s in Sessions.Where(s => s.State == "terminating"))
        {
            operations.Add(new { op = "update", id = s.Id, state = "terminating" });
        }

        foreach (var s in Sessions.Where(s => s.State == "terminated"))
        {
            operations.Add(new { op = "terminate", id = s.Id, reason = "finished" });
        }

        return api.BatchAsync(operations);
    }

    /// <summary>A few things happening while someone watches: fills the events panel and shows toasts.</summary>
    public static async Task LiveActivityAsync(HttpClient api)
    {
        await api.UsageAsync("eval-suite", 12_400, 3_100, 0.0640m);
        await api.PatchAsync("release-notes", new { state = "working", tasks_running = 1 });
        await api.UsageAsync("refactor-parser", 8_200, 1_450, 0.0410m);
        await api.PatchAsync("summarize-incident", new { state = "working" });
        await api.TerminateAsync("changelog-bot", "finished");
        await api.UsageAsync("index-repo", 22_000, 300, 0.0330m);
        await api.CreateAsync("hotfix-checkout", "Hotfix checkout timeout", new Dictionary<string, string> { ["team"] = "payments", ["model"] = "opus" }, "working");
    }
}

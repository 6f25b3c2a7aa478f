using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Alerts;

/// <summary>
/// A stored rule has a version: a PUT with <c>expected_version</c> replaces only that version (409
/// <c>version_conflict</c> otherwise) and never creates; configured rules stay read-only at version 1.
/// </summary>
public sealed class AlertRuleVersionTests
{
    private static Task<SwitchboardServer> StartAsync() =>
        SwitchboardServer.StartAsync(o => o.Alerts.Rules.Add(AlertKit.Rule("configured", "session_error", severity: "critical")));

    private static Task<(int Status, JsonElement Body, HttpResponseMessage Response)> PutAsync(SwitchboardServer server, string id, object body) =>
        server.Http.SendAsync(HttpMethod.Put, "/api/alert-rules/" + id, JsonSerializer.Serialize(body));

    [Fact]
    public async Task AStalePutIsAVersionConflictAndChangesNothing()
    {
        await using var server = await StartAsync();
        (await PutAsync(server, "slow", new { name = "Stuck", condition = "stalled", seconds = 300 })).Body.Long("version").ShouldBe(1);
        (await PutAsync(server, "slow", new { name = "Stuck", condition = "stalled", seconds = 300, expected_version = 1 })).Body.Long("version").ShouldBe(1);
        var changed = await PutAsync(server, "slow", new { name = "Stuck", condition = "stalled", seconds = 60, expected_version = 1 });
        (changed.Status, changed.Body.Long("version")).ShouldBe((200, 2L));

        var stale = await PutAsync(server, "slow", new { name = "Stuck", condition = "stalled", seconds = 300, enabled = false, expected_version = 1 });
        stale.ShouldBeProblem(409, "expected_version");
        stale.Body.Str("code").ShouldBe("version_conflict");
        stale.Body.Str("detail").ShouldBe(
            "Alert rule 'slow' is at version 2, but expected_version was 1. Read the alert rule again and retry with its current version.");
        var kept = (await server.Http.GetJsonAsync("/api/alert-rules/slow")).Body;
        (kept.Long("seconds"), kept.GetProperty("enabled").GetBoolean(), kept.Long("version")).ShouldBe((60L, true, 2L));

        // expected_version says the caller read a rule: with none there, nothing is created.
        (await PutAsync(server, "gone", new { name = "x", condition = "session_error", expected_version = 1 })).ShouldBeProblem(404);
        (await server.Http.GetJsonAsync("/api/alert-rules/gone")).ShouldBeProblem(404);
        (await PutAsync(server, "slow", new { name = "x", condition = "session_error", expected_version = 0 })).ShouldBeProblem(400, "expected_version");
        (await server.Http.PostAsync("/api/alert-rules", new { id = "new", name = "x", condition = "session_error", expected_version = 1 }))
            .ShouldBeProblem(400, "expected_version");
    }

    [Fact]
    public async Task ConfiguredRulesAreAtVersionOneAndStayReadOnly()
    {
        await using var server = await StartAsync();
        (await server.Http.GetJsonAsync("/api/alert-rules/configured")).Body.Long("version").ShouldBe(1);
        var put = await PutAsync(server, "configured", new { name = "x", condition = "session_error", expected_version = 1 });
        put.ShouldBeProblem(409);
        put.Body.Str("code").ShouldBe("alert_rule_read_only");
    }

    [Fact]
    public async Task OfPutsRacingWithTheSameExpectedVersionExactlyOneLands()
    {
        await using var server = await StartAsync();
        await PutAsync(server, "rule", new { name = "first", condition = "session_error" });

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => PutAsync(server, "rule", new { name = $"racer {i}", condition = "session_error", expected_version = 1 })));

        answers.Select(a => a.Status).Order().ShouldBe([200, 409, 409, 409, 409, 409, 409, 409]);
        var stored = (await server.Http.GetJsonAsync("/api/alert-rules/rule")).Body;
        (stored.Str("name"), stored.Long("version")).ShouldBe((answers.Single(a => a.Status == 200).Body.Str("name"), 2L));
    }
}

using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Alerts;

/// <summary><c>/api/alert-rules</c> and <c>/api/alerts</c>: CRUD, validation as problem+json, acknowledgement.</summary>
public sealed class AlertApiTests
{
    private static Task<SwitchboardServer> StartAsync() =>
        SwitchboardServer.StartAsync(o => o.Alerts.Rules.Add(AlertKit.Rule("configured", "session_error", severity: "critical")));

    private static async Task<List<string>> RuleIdsAsync(SwitchboardServer server) =>
        [.. (await server.Http.GetJsonAsync("/api/alert-rules")).Body.GetProperty("rules").EnumerateArray().Select(r => r.Str("id"))];

    [Fact]
    public async Task RulesAreCreatedReadReplacedAndDeletedAndConfiguredOnesAreReadOnly()
    {
        await using var server = await StartAsync();
        var created = await server.Http.PostAsync("/api/alert-rules", new { id = "slow", name = "Stuck agents", condition = "stalled", seconds = 300, labels = new { team = "red" } });
        created.Status.ShouldBe(201, created.Body.ToString());
        created.Response.Headers.Location!.ToString().ShouldEndWith("/api/alert-rules/slow");
        created.Body.Str("severity").ShouldBe("warning");
        created.Body.Str("source").ShouldBe("api");
        created.Body.GetProperty("labels").Str("team").ShouldBe("red");

        var generated = await server.Http.PostAsync("/api/alert-rules", new { name = "Big spender", condition = "session_cost", threshold = 2.5, severity = "critical" });
        generated.Status.ShouldBe(201);
        var generatedId = generated.Body.Str("id");
        (await RuleIdsAsync(server)).ShouldBe(["configured", "slow", generatedId], ignoreOrder: true);
        var configured = (await server.Http.GetJsonAsync("/api/alert-rules/configured")).Body;
        configured.Str("source").ShouldBe("config");

        var replaced = await server.Http.SendAsync(HttpMethod.Put, "/api/alert-rules/slow", JsonSerializer.Serialize(new { name = "Stuck", condition = "stalled", seconds = 60, enabled = false }));
        replaced.Status.ShouldBe(200);
        (await server.Http.GetJsonAsync("/api/alert-rules/slow")).Body.GetProperty("enabled").GetBoolean().ShouldBeFalse();

        (await server.Http.SendAsync(HttpMethod.Delete, "/api/alert-rules/slow")).Status.ShouldBe(204);
        (await server.Http.SendAsync(HttpMethod.Delete, "/api/alert-rules/slow")).ShouldBeProblem(404);
        (await server.Http.GetJsonAsync("/api/alert-rules/slow")).ShouldBeProblem(404);
        (await server.Http.SendAsync(HttpMethod.Delete, "/api/alert-rules/configured")).ShouldBeProblem(409);
        (await server.Http.SendAsync(HttpMethod.Put, "/api/alert-rules/configured", """{"name":"x","condition":"session_error"}""")).ShouldBeProblem(409);
        (await server.Http.PostAsync("/api/alert-rules", new { id = "configured", name = "x", condition = "session_error" })).ShouldBeProblem(409, "id");
        (await RuleIdsAsync(server)).ShouldBe(["configured", generatedId], ignoreOrder: true);
    }

    [Theory]
    [InlineData("""{"name":"x","condition":"on_fire"}""", "condition")]
    [InlineData("""{"name":"x"}""", "condition")]
    [InlineData("""{"condition":"session_error"}""", "name")]
    [InlineData("""{"name":"x","condition":"stalled"}""", "seconds")]
    [InlineData("""{"name":"x","condition":"stalled","seconds":0}""", "seconds")]
    [InlineData("""{"name":"x","condition":"waiting"}""", "seconds")]
    [InlineData("""{"name":"x","condition":"waiting","seconds":604801}""", "seconds")]
    [InlineData("""{"name":"x","condition":"waiting","seconds":60,"threshold":1}""", "threshold")]
    [InlineData("""{"name":"x","condition":"session_cost"}""", "threshold")]
    [InlineData("""{"name":"x","condition":"active_count","threshold":-1}""", "threshold")]
    [InlineData("""{"name":"x","condition":"session_error","threshold":3}""", "threshold")]
    [InlineData("""{"name":"x","condition":"session_error","severity":"meh"}""", "severity")]
    [InlineData("""{"name":"x","condition":"session_error","sevrity":"critical"}""", "sevrity")]
    [InlineData("""{"name":"x","condition":"session_error","id":"bad id!"}""", "id")]
    [InlineData("""{"name":"x","condition":"session_error","enabled":"yes"}""", "enabled")]
    [InlineData("""{"name":"x","condition":"burn_rate","threshold":5,"window_seconds":600}""", "metric")]
    [InlineData("""{"name":"x","condition":"burn_rate","threshold":5,"metric":"cost","window_seconds":30}""", "window_seconds")]
    [InlineData("""{"name":"x","condition":"burn_rate","metric":"euros","threshold":5,"window_seconds":600}""", "metric")]
    [InlineData("""{"name":"x","condition":"error_count","window_seconds":600}""", "threshold")]
    [InlineData("""{"name":"x","condition":"session_error","window_seconds":600}""", "window_seconds")]
    public async Task AnInvalidRuleIsAProblemThatNamesTheFieldAndStoresNothing(string body, string field)
    {
        await using var server = await StartAsync();
        (await server.Http.PostAsync("/api/alert-rules", body)).ShouldBeProblem(400, field);
        (await RuleIdsAsync(server)).ShouldBe(["configured"]);
    }

    [Fact]
    public async Task ARuleCreatedOverHttpAppliesAtOnceAndDeletingItResolvesItsAlerts()
    {
        await using var server = await StartAsync();
        await server.Http.CreateAsync("a", new { state = "error", error_message = "boom" });
        (await server.Http.PostAsync("/api/alert-rules", new { id = "errors", name = "Errors", condition = "session_error" })).Status.ShouldBe(201);
        await server.ExpectHistoryAsync("errors", "alert_raised a");

        (await server.Http.SendAsync(HttpMethod.Delete, "/api/alert-rules/errors")).Status.ShouldBe(204);
        await server.ExpectHistoryAsync("errors", "alert_raised a", "alert_resolved a");
        var resolved = (await server.Http.GetJsonAsync("/api/alerts?state=resolved")).Body.GetProperty("alerts")[0];
        resolved.Str("resolve_reason").ShouldBe("rule_deleted");
        await server.ExpectHistoryAsync("configured", "alert_raised a");
    }

    [Fact]
    public async Task AnAlertIsAcknowledgedWithWhoAndANote()
    {
        await using var server = await StartAsync();
        await server.Http.CreateAsync("a", new { state = "error" });
        await server.ExpectHistoryAsync("configured", "alert_raised a");
        var id = (await server.Http.GetJsonAsync("/api/alerts")).Body.GetProperty("alerts")[0].Str("id");

        (await server.Http.PostAsync($"/api/alerts/{id}/ack", new { note = "no who" })).ShouldBeProblem(400, "by");
        (await server.Http.PostAsync($"/api/alerts/{id}/ack", new { by = "ops", colour = "red" })).ShouldBeProblem(400, "colour");
        (await server.Http.PostAsync("/api/alerts/al_missing/ack", new { by = "ops" })).ShouldBeProblem(404);
        (await server.Http.GetJsonAsync("/api/alerts?state=maybe")).ShouldBeProblem(400, "state");

        var acked = await server.Http.PostAsync($"/api/alerts/{id}/ack", new { by = "ops@example.com", note = "restarting the worker" });
        acked.Status.ShouldBe(200, acked.Body.ToString());
        acked.Body.Str("acknowledged_by").ShouldBe("ops@example.com");
        acked.Body.Str("state").ShouldBe("open");
        var read = (await server.Http.GetJsonAsync($"/api/alerts/{id}")).Body;
        read.Str("note").ShouldBe("restarting the worker");
        (await server.Http.GetJsonAsync("/api/alerts/al_missing")).ShouldBeProblem(404);
        await server.ExpectHistoryAsync("configured", "alert_raised a", "alert_acknowledged a");
    }
}

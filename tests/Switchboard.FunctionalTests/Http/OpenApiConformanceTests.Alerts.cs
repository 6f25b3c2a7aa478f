using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>Alert rules, alerts and webhooks against the document, like the session calls.</summary>
public sealed partial class OpenApiConformanceTests
{
    [Fact]
    public async Task AlertAndWebhookCallsMatchTheDocument()
    {
        await Call(HttpMethod.Post, "/api/alert-rules", """
            {"id":"oa-rule","name":"Errors","condition":"session_error","severity":"critical","labels":{"team":"core"},"enabled":true}
            """, 201);
        await Call(HttpMethod.Post, "/api/alert-rules", """{"name":"Burn","condition":"burn_rate","metric":"cost","threshold":5,"window_seconds":600}""", 201);
        await Call(HttpMethod.Get, "/api/alert-rules", null, 200);
        await Call(HttpMethod.Get, "/api/alert-rules/oa-rule", null, 200);
        await Call(HttpMethod.Put, "/api/alert-rules/oa-rule", """{"name":"Errors","condition":"session_error","seconds":null,"threshold":null}""", 200);
        await Call(HttpMethod.Put, "/api/alert-rules/oa-rule", """{"name":"Errors","condition":"session_error","expected_version":2}""", 200);
        await Call(HttpMethod.Put, "/api/alert-rules/oa-rule", """{"name":"Stale","condition":"session_error","expected_version":1}""", 409);
        await Call(HttpMethod.Put, "/api/alert-rules/oa-rule", """{"name":"Errors","condition":"session_error","expected_version":0}""", 400);
        await Call(HttpMethod.Put, "/api/alert-rules/none", """{"name":"Errors","condition":"session_error","expected_version":1}""", 404);
        await Call(HttpMethod.Post, "/api/alert-rules", """{"name":"x","condition":"on_fire"}""", 400);
        await Call(HttpMethod.Post, "/api/alert-rules", """{"name":"x","condition":"session_error","bogus":1}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Post, "/api/alert-rules", """{"condition":"session_error"}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Get, "/api/alert-rules/none", null, 404);

        await Call(HttpMethod.Post, "/api/sessions", """{"id":"oa-broken","state":"error","labels":{"team":"core"}}""", 201);
        await TestTimeouts.Eventually(async () => (await _http.GetStringAsync("/api/alerts")).Contains("oa-broken", StringComparison.Ordinal), "the alert");
        await Call(HttpMethod.Get, "/api/alerts?state=open&limit=10", null, 200);
        var alertId = _exchanges[^1].Response!.Value.GetProperty("alerts")[0].GetProperty("id").GetString()!;
        await Call(HttpMethod.Get, $"/api/alerts/{alertId}", null, 200);
        await Call(HttpMethod.Post, $"/api/alerts/{alertId}/ack", """{"by":"ops","note":"looking"}""", 200);
        await Call(HttpMethod.Post, $"/api/alerts/{alertId}/ack", """{"note":"no who"}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Get, "/api/alerts/al_none", null, 404);
        await Call(HttpMethod.Delete, "/api/alert-rules/oa-rule", null, 204);
        await TestTimeouts.Eventually(async () => (await _http.GetStringAsync("/api/alerts?state=resolved")).Contains(alertId, StringComparison.Ordinal), "resolved");
        await Call(HttpMethod.Get, "/api/alerts?state=all", null, 200);

        await Call(HttpMethod.Post, "/api/webhooks", """
            {"id":"oa-hook","url":"http://127.0.0.1:9/hook","secret":"0123456789abcdef","event_types":["alert_raised"],"labels":{"team":"core"},
             "alert_severities":["critical"],"format":"slack","enabled":false}
            """, 201);
        await Call(HttpMethod.Get, "/api/webhooks", null, 200);
        await Call(HttpMethod.Get, "/api/webhooks/oa-hook", null, 200);
        await Call(HttpMethod.Put, "/api/webhooks/oa-hook", """{"url":"http://127.0.0.1:9/other","enabled":false}""", 200);
        await Call(HttpMethod.Put, "/api/webhooks/oa-hook", """{"url":"http://127.0.0.1:9/other","enabled":false,"expected_version":2}""", 200);
        await Call(HttpMethod.Put, "/api/webhooks/oa-hook", """{"url":"http://127.0.0.1:9/stale","expected_version":1}""", 409);
        await Call(HttpMethod.Put, "/api/webhooks/oa-hook", """{"url":"http://127.0.0.1:9/other","expected_version":"2"}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Post, "/api/webhooks/oa-hook/replay", """{"from_seq":1}""", 200);
        await Call(HttpMethod.Post, "/api/webhooks", """{"url":"http://example.com","retries":1}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Post, "/api/webhooks/oa-hook/replay", "{}", 400, schemaRefuses: true);
        await Call(HttpMethod.Get, "/api/webhooks/none", null, 404);
        await Call(HttpMethod.Delete, "/api/webhooks/oa-hook", null, 204);

        CheckExchanges();
    }
}

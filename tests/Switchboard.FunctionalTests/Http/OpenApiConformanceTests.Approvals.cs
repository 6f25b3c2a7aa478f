using System.Text;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>
/// Approvals, usage rollups and the writes a topic stream refuses, against the document: every status each documents,
/// provoked for real on a server with auth on (an agent asks, an operator answers, a key scoped by labels and no key at all).
/// </summary>
public sealed partial class OpenApiConformanceTests
{
    [Fact]
    public async Task ApprovalCallsAndTheirRefusalsMatchTheDocument()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Security.AddApiKeys(AccessKeys);
            o.Approvals.MaxPendingPerSession = 2;
            o.Http.MaxBodyBytes = 4096;
        });
        using var ops = Keyed(server, OperatorKey);
        using var agent = Keyed(server, AgentKey);
        using var red = Keyed(server, ScopedKey);
        using var anonymous = Keyed(server, null);
        var id = $"oa-ap-{Guid.NewGuid():N}"[..20];
        var approvals = $"/api/sessions/{id}/approvals";
        await Call(agent, HttpMethod.Post, "/api/sessions", $$"""{"id":"{{id}}","state":"working"}""", 201);

        // Asked by the agent, with every field and with only a summary; past the session's cap of pending ones, 429.
        var first = await Call(agent, HttpMethod.Post, approvals, """{"tool":"Bash","summary":"Deploy build 42","data":{"cmd":["make","deploy"]},"expires_in_seconds":600}""", 201);
        var a1 = first.Response!.Value.Str("id");
        var second = await Call(agent, HttpMethod.Post, approvals + "?wait=0", """{"summary":"Push the tag","tool":null,"data":null}""", 201);
        var a2 = second.Response!.Value.Str("id");
        ShouldSayWhatAndHow(await Call(agent, HttpMethod.Post, approvals, """{"summary":"One too many"}""", 429), "too_many_approvals", "Switchboard:Approvals:MaxPendingPerSession");

        // Read: the list with its filters, one approval, and the reads' refusals.
        await Call(agent, HttpMethod.Get, approvals, null, 200);
        await Call(agent, HttpMethod.Get, approvals + "?state=pending,allowed&limit=1", null, 200);
        await Call(agent, HttpMethod.Get, $"{approvals}/{a1}", null, 200);
        await Call(agent, HttpMethod.Get, $"{approvals}/{a1}?wait=0", null, 200);
        ShouldSayWhatAndHow(await Call(agent, HttpMethod.Get, approvals + "?state=asleep", null, 400), "invalid_field", "pending, allowed, denied, expired, withdrawn");
        await Call(agent, HttpMethod.Get, approvals + "?limit=0", null, 400);
        await Call(agent, HttpMethod.Get, $"{approvals}/{a1}?wait=-1", null, 400);
        ShouldSayWhatAndHow(await Call(agent, HttpMethod.Get, $"{approvals}/apr_none", null, 404), "approval_not_found", "apr_none");
        ShouldSayWhatAndHow(await Call(agent, HttpMethod.Get, "/api/sessions/oa-none/approvals", null, 404), "session_not_found", "POST /api/sessions");
        await Call(agent, HttpMethod.Get, $"/api/sessions/oa-none/approvals/{a1}", null, 404);

        // Asking's refusals: the schema's, the server's own, an oversized body, a session that does not exist, no key.
        await Call(agent, HttpMethod.Post, approvals, """{"summary":"ok","surprise":1}""", 400, schemaRefuses: true);
        await Call(agent, HttpMethod.Post, approvals, $$"""{"summary":"{{new string('s', 501)}}"}""", 400);
        ShouldSayWhatAndHow(await Call(agent, HttpMethod.Post, approvals, $$$"""{"summary":"big","data":{"x":"{{{new string('x', 5000)}}}"}}""", 413),
            "body_too_large", "Switchboard:Http:MaxBodyBytes");
        ShouldSayWhatAndHow(await Call(agent, HttpMethod.Post, "/api/sessions/oa-none/approvals", """{"summary":"ok"}""", 404), "session_not_found", "POST /api/sessions");
        ShouldSayWhatAndHow(await Call(anonymous, HttpMethod.Post, approvals, """{"summary":"ok"}""", 401), "unauthorized", "Authorization: Bearer <key>");

        // Answering: the agent may not (it asked), a scoped key outside the session's labels sees no session, then the operator.
        ShouldSayWhatAndHow(await Call(agent, HttpMethod.Post, $"{approvals}/{a1}", """{"decision":"allow"}""", 403), "insufficient_role", "need an operator key");
        await Call(red, HttpMethod.Post, $"{approvals}/{a1}", """{"decision":"allow"}""", 404);
        await Call(ops, HttpMethod.Post, $"{approvals}/{a1}", """{"decision":"maybe"}""", 400, schemaRefuses: true);
        ShouldSayWhatAndHow(await Call(ops, HttpMethod.Post, $"{approvals}/{a1}", $$"""{"decision":"allow","note":"{{new string('n', 5000)}}"}""", 413),
            "body_too_large", "Split the work");
        await Call(ops, HttpMethod.Post, $"{approvals}/{a1}", """{"decision":"allow","note":"go"}""", 200);
        await Call(ops, HttpMethod.Post, $"{approvals}/{a1}", """{"decision":"allow","note":"go"}""", 200);
        ShouldSayWhatAndHow(await Call(ops, HttpMethod.Post, $"{approvals}/{a1}", """{"decision":"deny"}""", 409), "approval_not_pending", a1);
        ShouldSayWhatAndHow(await Call(ops, HttpMethod.Post, $"{approvals}/apr_none", """{"decision":"deny"}""", 404), "approval_not_found", "apr_none");

        // The key that asked may not answer its own approval.
        var own = (await Call(ops, HttpMethod.Post, approvals, """{"summary":"Mine"}""", 201)).Response!.Value.Str("id");
        ShouldSayWhatAndHow(await Call(ops, HttpMethod.Post, $"{approvals}/{own}", """{"decision":"allow"}""", 403), "self_answer", "Approvals:AllowSelfAnswer");

        // The session ends: its pending approvals are withdrawn, an answer reaches nobody, and nobody can ask any more.
        await Call(agent, HttpMethod.Post, $"/api/sessions/{id}/terminate", null, 200);
        ShouldSayWhatAndHow(await Call(ops, HttpMethod.Post, $"{approvals}/{a2}", """{"decision":"allow"}""", 409), "approval_not_held", "answer the new approval");
        ShouldSayWhatAndHow(await Call(agent, HttpMethod.Post, approvals, """{"summary":"Too late"}""", 409), "session_ending", "nobody can be asked on its behalf any more");
        await Call(agent, HttpMethod.Get, approvals + "?state=withdrawn,allowed", null, 200);

        CheckExchanges();
    }

    [Fact]
    public async Task UsageAndTheWritesATopicStreamRefusesMatchTheDocument()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Security.AddApiKeys(AccessKeys);
            o.Usage.GroupBy.Add("team");
        });
        using var ops = Keyed(server, OperatorKey);
        using var red = Keyed(server, ScopedKey);
        using var reader = Keyed(server, ReadKey);
        using var anonymous = Keyed(server, null);
        await Call(ops, HttpMethod.Post, "/api/sessions", """{"id":"oa-usage","labels":{"team":"red"},"input_tokens":10,"cost_usd":0.5}""", 201);

        await Call(ops, HttpMethod.Get, "/api/usage", null, 200);
        await Call(ops, HttpMethod.Get, "/api/usage?bucket=1m&since=30m", null, 200);
        await Call(ops, HttpMethod.Get, "/api/usage?bucket=1d&since=7d&until=1h&group_by=label:team&labels=team=red,team=blue", null, 200);
        await Call(red, HttpMethod.Get, "/api/usage?group_by=label:team&labels=team=red", null, 200);
        await Call(ops, HttpMethod.Get, "/api/usage?bucket=1w", null, 400);
        await Call(ops, HttpMethod.Get, "/api/usage?since=yesterday", null, 400);
        ShouldSayWhatAndHow(await Call(ops, HttpMethod.Get, "/api/usage?bucket=1m&until=2099-01-01T00:00:00Z", null, 400), "too_many_points", "Use a larger bucket");
        await Call(ops, HttpMethod.Get, "/api/usage?group_by=label:model", null, 400);
        ShouldSayWhatAndHow(await Call(red, HttpMethod.Get, "/api/usage", null, 403), "insufficient_scope", "group_by=label:KEY&labels=KEY=value");
        ShouldSayWhatAndHow(await Call(anonymous, HttpMethod.Get, "/api/usage", null, 401), "unauthorized", "Authorization: Bearer <key>");

        // A topic is read-only to every key that may write streams; a read key may not write at all.
        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Delete })
        {
            ShouldSayWhatAndHow(await Call(ops, method, "/v1/stream/topics/sessions", null, 405), "read_only_stream", "/api/sessions");
            await Call(ops, method, "/v1/stream/topics/session:oa-usage", null, 405);
            ShouldSayWhatAndHow(await Call(reader, method, "/v1/stream/topics/sessions", null, 403), "insufficient_scope", "needs an agent or operator key");
            ShouldSayWhatAndHow(await Call(anonymous, method, "/v1/stream/topics/sessions", null, 401), "unauthorized", "Authorization: Bearer <key>");
        }

        CheckExchanges();
    }

    private static HttpClient Keyed(SwitchboardServer server, string? key) =>
        key is null ? new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Default } : server.HttpWithKey(key);

    private Task<Exchange> Call(HttpClient http, HttpMethod method, string path, string? json, int expectedStatus, bool schemaRefuses = false)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return Send(request, expectedStatus, schemaRefuses, http);
    }
}

using Switchboard.FunctionalTests.Commands;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Approvals;

/// <summary>
/// Who may answer (issue 56, docs/approvals.md): an agent key asks and cannot answer, an operator's answer and command
/// carry its key's name (and the person a trusted proxy names, only from the proxy's addresses), and the key that asked
/// cannot answer its own approval unless <c>Approvals:AllowSelfAnswer</c>.
/// </summary>
public sealed class ApprovalRoleTests
{
    private const string AgentKey = "agent-key-0123456789abcdef";
    private const string OpsKey = "ops-key-0123456789abcdef";
    private const string Keys = $"@agents {AgentKey}:agent, @ops {OpsKey}";

    [Fact]
    public async Task AnAgentKeyAsksButCannotAnswerAndTheOperatorsAnswerCarriesItsName()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys(Keys));
        using var agent = server.HttpWithKey(AgentKey);
        using var ops = server.HttpWithKey(OpsKey);
        await agent.CreateAsync("deploy", new { state = "working" });
        var asked = await agent.PostAsync("/api/sessions/deploy/approvals", new { summary = "Deploy build 42" });
        asked.Status.ShouldBe(201, asked.Body.ToString());
        asked.Body.Str("requested_by").ShouldBe("@agents");
        asked.Body.Str("requested_key").ShouldBe("@agents");
        var id = asked.Body.Str("id");

        var head = await ops.HeadAsync();
        var refused = await agent.PostAsync($"/api/sessions/deploy/approvals/{id}", new { decision = "allow" });
        refused.ShouldBeProblem(403);
        refused.Body.Str("code").ShouldBe("insufficient_role");
        refused.Body.Str("detail").ShouldContain("agent key");
        refused.Body.Str("detail").ShouldContain("operator key");
        refused.Response.Headers.WwwAuthenticate.ToString().ShouldContain("scope=\"operator\"");
        (await ops.HeadAsync()).ShouldBe(head, "a refused answer changes nothing");
        (await agent.PostAsync("/api/sessions/deploy/commands", new { type = "cancel" })).Body.Str("code").ShouldBe("insufficient_role");

        var answered = await ops.PostAsync($"/api/sessions/deploy/approvals/{id}", new { decision = "allow" });
        answered.Status.ShouldBe(200, answered.Body.ToString());
        answered.Body.Str("answered_by").ShouldBe("@ops");
        var logged = (await ops.EventsAsync(sessionId: "deploy")).Single(e => e.Str("type") == "approval_answered");
        logged.GetProperty("data").GetProperty("approval").Str("answered_by").ShouldBe("@ops");
        logged.GetProperty("data").GetProperty("approval").Str("requested_key").ShouldBe("@agents");

        var command = await ops.PostAsync("/api/sessions/deploy/commands", new { type = "message", text = "hi" });
        command.Status.ShouldBe(201, command.Body.ToString());
        command.Body.Str("issued_by").ShouldBe("@ops");

        var auth = (await agent.GetJsonAsync("/api/auth")).Body;
        (auth.Str("role"), auth.Str("name"), auth.Str("scope")).ShouldBe(("agent", "@agents", "write"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheKeyThatAskedCannotAnswerItsOwnApprovalUnlessAllowed(bool allowSelfAnswer)
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Security.AddApiKeys(Keys);
            o.Approvals.AllowSelfAnswer = allowSelfAnswer;
        });
        using var ops = server.HttpWithKey(OpsKey);
        await ops.CreateAsync("script", new { state = "working" });
        var id = (await ops.PostAsync("/api/sessions/script/approvals", new { summary = "rm -rf build" })).Body.Str("id");

        var head = await ops.HeadAsync();
        var answer = await ops.PostAsync($"/api/sessions/script/approvals/{id}", new { decision = "allow" });
        if (allowSelfAnswer)
        {
            answer.Status.ShouldBe(200, answer.Body.ToString());
            answer.Body.Str("state").ShouldBe("allowed");
            return;
        }

        answer.ShouldBeProblem(403);
        answer.Body.Str("code").ShouldBe("self_answer");
        answer.Body.Str("detail").ShouldContain("Switchboard:Approvals:AllowSelfAnswer");
        (await ops.HeadAsync()).ShouldBe(head, "nothing changed");
        (await ops.GetJsonAsync($"/api/sessions/script/approvals/{id}")).Body.Str("state").ShouldBe("pending");
        server.Logs.Dump().ShouldContain($"The API key @ops tried to answer approval {id} of session script, which it asked for");
    }

    [Fact]
    public async Task ATrustedProxyNamesThePersonOnlyOnConnectionsFromItsAddresses()
    {
        await using var trusting = await SwitchboardServer.StartAsync(o =>
        {
            o.Security.AddApiKeys(Keys);
            o.Security.TrustedProxy.UserHeader = "X-Forwarded-User";
            o.Security.TrustedProxy.Addresses.Add("127.0.0.0/8");
        });
        using var agent = trusting.HttpWithKey(AgentKey);
        using var proxied = trusting.HttpWithKey(OpsKey);
        proxied.DefaultRequestHeaders.Add("X-Forwarded-User", "alice@example.com");
        await agent.CreateAsync("s1", new { state = "working" });
        var id = (await agent.PostAsync("/api/sessions/s1/approvals", new { summary = "ls" })).Body.Str("id");

        using var tooLong = trusting.HttpWithKey(OpsKey);
        tooLong.DefaultRequestHeaders.Add("X-Forwarded-User", new string('a', 101));
        var head = await proxied.HeadAsync();
        var bad = await tooLong.PostAsync($"/api/sessions/s1/approvals/{id}", new { decision = "allow" });
        bad.ShouldBeProblem(400);
        bad.Body.Str("code").ShouldBe("invalid_forwarded_user");
        (await proxied.HeadAsync()).ShouldBe(head);

        (await proxied.PostAsync($"/api/sessions/s1/approvals/{id}", new { decision = "deny" })).Body.Str("answered_by").ShouldBe("alice@example.com via @ops");
        (await proxied.PostAsync("/api/sessions/s1/commands", new { type = "message", text = "hi" })).Body.Str("issued_by").ShouldBe("alice@example.com via @ops");

        await using var elsewhere = await SwitchboardServer.StartAsync(o =>
        {
            o.Security.AddApiKeys(Keys);
            o.Security.TrustedProxy.UserHeader = "X-Forwarded-User";
            o.Security.TrustedProxy.Addresses.Add("10.9.8.7");
        });
        using var impostor = elsewhere.HttpWithKey(OpsKey);
        impostor.DefaultRequestHeaders.Add("X-Forwarded-User", "mallory");
        await impostor.CreateAsync("s2");
        (await impostor.PostAsync("/api/sessions/s2/commands", new { type = "message", text = "hi" })).Body.Str("issued_by")
            .ShouldBe("@ops", "the header from an address that is no proxy names nobody");
    }
}

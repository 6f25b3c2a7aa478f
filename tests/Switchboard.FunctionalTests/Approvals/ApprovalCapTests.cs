using Switchboard.FunctionalTests.Commands;
using Switchboard.FunctionalTests.Hooks;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Approvals;

/// <summary>
/// A session has at most <c>Switchboard:Approvals:MaxPendingPerSession</c> (100) pending approvals (docs/approvals.md,
/// "Refusals"): past it the API answers 429 <c>too_many_approvals</c> and writes nothing, and a hook that would ask is
/// answered at once with no decision (the agent follows its own rules) instead of being held.
/// </summary>
public sealed class ApprovalCapTests
{
    private const int Cap = 100; // the documented default

    private static async Task<List<string>> AskUpToTheCapAsync(HttpClient http, string session)
    {
        var ids = new List<string>();
        for (var i = 0; i < Cap; i++)
        {
            var asked = await http.PostAsync($"/api/sessions/{session}/approvals", new { summary = $"step {i}" });
            asked.Status.ShouldBe(201, asked.Body.ToString());
            ids.Add(asked.Body.Str("id"));
        }

        return ids;
    }

    private static async Task<int> PendingAsync(HttpClient http, string session) =>
        (await http.GetJsonAsync($"/api/sessions/{session}/approvals?state=pending&limit=1000")).Body.GetProperty("approvals").GetArrayLength();

    [Fact]
    public async Task PastTheCapAnAskIs429AndChangesNothingUntilOneIsAnswered()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("asker", new { state = "working" });
        var ids = await AskUpToTheCapAsync(server.Http, "asker");

        var head = await server.Http.HeadAsync();
        var refused = await server.Http.PostAsync("/api/sessions/asker/approvals", new { summary = "one too many" });
        refused.ShouldBeProblem(429);
        refused.Body.Str("code").ShouldBe("too_many_approvals");
        refused.Body.Str("detail").ShouldContain("Switchboard:Approvals:MaxPendingPerSession");
        (await server.Http.HeadAsync()).ShouldBe(head, "a refused ask writes nothing");
        (await PendingAsync(server.Http, "asker")).ShouldBe(Cap);

        (await server.Http.PostAsync($"/api/sessions/asker/approvals/{ids[0]}", new { decision = "deny" })).Status.ShouldBe(200);
        (await server.Http.PostAsync("/api/sessions/asker/approvals", new { summary = "room again" })).Status.ShouldBe(201, "only pending ones count");
    }

    [Fact]
    public async Task PastTheCapAHookThatWouldAskIsAnsweredAtOnceWithNoDecision()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        await HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "PreToolUse", "full", new { tool_name = "Read", tool_input = new { file_path = "/a" } }));
        await AskUpToTheCapAsync(server.Http, "otel:s:full");

        var answer = await HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "PermissionRequest", "full",
            new { tool_name = "Bash", tool_input = new { command = "make deploy" } })).Within();
        answer.ToString().ShouldBe("{}", "no decision: the agent follows its own rules");
        (await PendingAsync(server.Http, "otel:s:full")).ShouldBe(Cap);
        (await server.Http.GetJsonAsync("/api/sessions/otel:s:full/approvals?limit=1000")).Body.GetProperty("approvals").GetArrayLength()
            .ShouldBe(Cap, "no approval was raised for the hook");
        (await ApprovalKit.SessionAsync(server.Http, "otel:s:full")).Str("state").ShouldBe("waiting");
    }
}

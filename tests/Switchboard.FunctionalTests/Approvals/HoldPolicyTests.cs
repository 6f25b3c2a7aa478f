using System.Text.Json;
using Switchboard.FunctionalTests.Hooks;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Approvals;

/// <summary>
/// Which hook calls wait for a person (docs/approvals.md, "Which calls wait"): <c>Switchboard:Approvals:Hold</c> and
/// <c>Skip</c> rules in Claude Code's permission-rule syntax, and the kind of run the installed hooks' headers say. A call
/// that is not held is answered at once with no decision, and no approval exists for it. Raw hook requests shaped as each
/// agent sends them; the real <c>claude -p</c> is in <c>Switchboard.Agents.Tests.ClaudeCodeHoldPolicyTests</c>.
/// </summary>
public sealed class HoldPolicyTests
{
    private static object Bash(string command) => new { tool_name = "Bash", tool_input = new { command, description = "run it" } };

    private static async Task<JsonElement> PostAsync(HttpClient http, string agent, string name, string session, object fields, params (string Name, string Value)[] headers)
    {
        var body = JsonSerializer.SerializeToNode(fields)!.AsObject();
        body["hook_event_name"] = name;
        body["session_id"] = session;
        body["cwd"] = "/home/dev/project";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/" + agent) { Content = HookKit.Json(body.ToJsonString()) };
        foreach (var (header, value) in headers)
        {
            request.Headers.Add(header, value);
        }

        return await HookKit.OkAsync(http.SendAsync(request));
    }

    private static async Task<List<string>> ApprovalsAsync(SwitchboardServer server, string session) =>
        [.. (await server.Http.GetJsonAsync($"/api/sessions/{session}/approvals")).Body.GetProperty("approvals").EnumerateArray().Select(a => a.Str("summary"))];

    [Fact]
    public async Task AReadOnlyToolASkipRuleNamesIsAnsweredAtOnceWithNoDecisionAndNoApproval()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Approvals.Skip = ["Read", "Grep", "Glob", "Bash(git status)", "Bash(ls *)"]);
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };

        // Interactive runs: without the policy each of these would wait for a person (up to ApprovalWait, 5 minutes).
        var read = await PostAsync(agent, "claude-code", "PermissionRequest", "reader", new { tool_name = "Read", tool_input = new { file_path = "/home/dev/.ssh/config" } }).Within();
        read.ToString().ShouldBe("{}");
        (await PostAsync(agent, "claude-code", "PermissionRequest", "reader", Bash("git status && ls -la")).Within()).ToString().ShouldBe("{}", "each command of the line is skipped");
        (await ApprovalsAsync(server, "otel:s:reader")).ShouldBeEmpty();
        var types = (await server.Http.EventsAsync(sessionId: "otel:s:reader")).Select(e => e.Str("type")).ToList();
        types.ShouldNotContain("approval_requested");

        // A line with one command no Skip rule names still waits.
        var mixed = PostAsync(agent, "claude-code", "PermissionRequest", "reader", Bash("ls && rm -rf build"));
        var pending = await ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:reader");
        pending.Str("summary").ShouldBe("Bash: ls && rm -rf build");
        (await server.Http.PostAsync($"/api/sessions/otel:s:reader/approvals/{pending.Str("id")}", new { decision = "deny" })).Status.ShouldBe(200);
        (await mixed.Within()).GetProperty("hookSpecificOutput").GetProperty("decision").Str("behavior").ShouldBe("deny");
    }

    [Theory]
    [InlineData("claude-code", "X-Switchboard-Run", "sdk-cli")] // claude -p: its $CLAUDE_CODE_ENTRYPOINT
    [InlineData("codex", "X-Switchboard-CI", "true")] // codex exec in a CI job: its $CI
    public async Task ANonInteractiveRunIsAnsweredAtOnceButARuleInHoldIsStillHeld(string agentName, string header, string value)
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Approvals.Hold = ["Bash(rm *)"]);
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };

        var ls = await PostAsync(agent, agentName, "PermissionRequest", "ci-run", Bash("ls -la /srv"), (header, value)).Within();
        ls.ToString().ShouldBe("{}", "nobody sits at a non-interactive run: the agent decides at once by its own rules");
        (await ApprovalsAsync(server, "otel:s:ci-run")).ShouldBeEmpty();

        // Hold wins over the kind of run, and matches any command of a line (here after cd, and with an assignment first).
        var rm = PostAsync(agent, agentName, "PermissionRequest", "ci-run", Bash("cd /srv && FORCE=1 rm -rf build"), (header, value));
        var pending = await ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:ci-run");
        pending.Str("summary").ShouldBe("Bash: cd /srv && FORCE=1 rm -rf build");
        rm.IsCompleted.ShouldBeFalse("held until a person answers");
        (await server.Http.PostAsync($"/api/sessions/otel:s:ci-run/approvals/{pending.Str("id")}", new { decision = "allow" })).Status.ShouldBe(200);
        (await rm.Within()).GetProperty("hookSpecificOutput").GetProperty("decision").Str("behavior").ShouldBe("allow");
        (await ApprovalsAsync(server, "otel:s:ci-run")).ShouldBe(["Bash: cd /srv && FORCE=1 rm -rf build"]);
    }

    [Theory]
    [InlineData("X-Switchboard-Run", "cli")] // interactive claude: its $CLAUDE_CODE_ENTRYPOINT
    [InlineData("X-Switchboard-CI", "")] // $CI unset in the hook's environment
    [InlineData("X-Switchboard-Run", "")] // a hook installed before the headers existed sends nothing: held as before
    public async Task AnInteractiveOrUnknownRunIsHeldWhereTheSameCallOfANonInteractiveOneIsNot(string header, string value)
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        (await PostAsync(agent, "claude-code", "PermissionRequest", "ci", Bash("make deploy"), ("X-Switchboard-Run", "sdk-cli")).Within()).ToString().ShouldBe("{}");
        (await ApprovalsAsync(server, "otel:s:ci")).ShouldBeEmpty();

        var hook = PostAsync(agent, "claude-code", "PermissionRequest", "desk", Bash("make deploy"), (header, value));
        var pending = await ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:desk");
        (await server.Http.PostAsync($"/api/sessions/otel:s:desk/approvals/{pending.Str("id")}", new { decision = "deny" })).Status.ShouldBe(200);
        (await hook.Within()).GetProperty("hookSpecificOutput").GetProperty("decision").Str("behavior").ShouldBe("deny");
    }

    [Fact]
    public async Task HoldNonInteractiveHoldsANonInteractiveRunAsAnInteractiveOneAndSkipStillApplies()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Approvals.HoldNonInteractive = true;
            o.Approvals.Skip = ["Bash(ls *)"];
        });
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        (await PostAsync(agent, "claude-code", "PermissionRequest", "asked", Bash("ls -la"), ("X-Switchboard-Run", "sdk-cli")).Within()).ToString().ShouldBe("{}");

        var hook = PostAsync(agent, "claude-code", "PermissionRequest", "asked", Bash("make deploy"), ("X-Switchboard-Run", "sdk-cli"));
        var pending = await ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:asked");
        pending.Str("summary").ShouldBe("Bash: make deploy");
        (await server.Http.PostAsync($"/api/sessions/otel:s:asked/approvals/{pending.Str("id")}", new { decision = "allow" })).Status.ShouldBe(200);
        (await hook.Within()).GetProperty("hookSpecificOutput").GetProperty("decision").Str("behavior").ShouldBe("allow");
    }
}

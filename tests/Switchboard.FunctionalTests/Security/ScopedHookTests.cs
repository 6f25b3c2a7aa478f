using Switchboard.FunctionalTests.Hooks;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Otlp;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// Hooks sent with a key scoped by labels (issue 55, findings 1, 3 and 5): another team's agent is decided out of the
/// scope before anything is written, so its ended session gets no continuation and its sub-agents no red root, and the
/// agent hears exactly what it would for an id nobody has seen.
/// </summary>
public sealed class ScopedHookTests
{
    private static readonly object Pwned = new { cwd = "/home/red/pwned" };

    /// <summary>Status, content type and body of a hook's answer: what the agent reads.</summary>
    private static async Task<(int Status, string? Type, string Body)> AnswerAsync(HttpClient http, string name, string sessionId, object? fields = null)
    {
        using var response = await HookKit.PostAsync(http, "claude-code", name, sessionId, fields);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ARedHookForBluesEndedSessionMakesNoContinuationAndIsAnsweredAsAnUnknownIdIs()
    {
        await using var keys = await ScopedKeys.StartAsync(o => o.Hooks.EndGrace = TimeSpan.Zero);
        await HookKit.OkAsync(HookKit.PostAsync(keys.Blue, "claude-code", "SessionStart", "abc"));
        await HookKit.OkAsync(HookKit.PostAsync(keys.Blue, "claude-code", "SessionEnd", "abc", new { reason = "exit" }));
        var ended = await OtlpKit.SessionAsync(keys.Admin, "otel:s:abc");
        ended.Str("state").ShouldBe("terminated");
        var head = await OtlpKit.HeadAsync(keys.Admin);

        var blue = await AnswerAsync(keys.Red, "UserPromptSubmit", "abc", Pwned);

        (await keys.Admin.GetJsonAsync("/api/sessions/otel:s2:abc")).Status.ShouldBe(404, "no continuation of blue's agent was made by red");
        (await OtlpKit.SessionAsync(keys.Admin, "otel:s:abc")).Long("version").ShouldBe(ended.Long("version"));
        (await keys.Admin.EventsAsync(since: head)).ShouldBeEmpty("the refused hook wrote nothing");
        var unknown = await AnswerAsync(keys.Red, "UserPromptSubmit", "never-seen", Pwned);
        blue.ShouldBe(unknown, "blue's agent looks to red exactly as one nobody has seen");
        blue.Status.ShouldBe(200);

        // Blue's own agent, resumed, continues in blue's scope.
        await HookKit.OkAsync(HookKit.PostAsync(keys.Blue, "claude-code", "UserPromptSubmit", "abc"));
        var continued = await OtlpKit.SessionAsync(keys.Admin, "otel:s2:abc");
        continued.GetProperty("labels").Str("team").ShouldBe("blue");
        continued.Str("continues").ShouldBe("otel:s:abc");
        continued.Str("name").ShouldBe(ended.Str("name"));
    }

    [Fact]
    public async Task ARedSubagentStartForBluesAgentWritesNoSubAgent()
    {
        await using var keys = await ScopedKeys.StartAsync();
        await HookKit.OkAsync(HookKit.PostAsync(keys.Blue, "claude-code", "SessionStart", "s3"));
        var before = await OtlpKit.SessionAsync(keys.Admin, "otel:s:s3");
        var subAgent = new { agent_id = "a1", agent_type = "Explore" };

        var blue = await AnswerAsync(keys.Red, "SubagentStart", "s3", subAgent);

        (await keys.Admin.GetJsonAsync("/api/sessions/otel:s:s3:a:a1")).Status.ShouldBe(404, "the sub-agent write fell with the agent's");
        (await OtlpKit.SessionAsync(keys.Admin, "otel:s:s3")).Long("version").ShouldBe(before.Long("version"));
        blue.ShouldBe(await AnswerAsync(keys.Red, "SubagentStart", "s4", subAgent));
        blue.Status.ShouldBe(200);

        // Blue's agent then starts that sub-agent under its own session.
        await HookKit.OkAsync(HookKit.PostAsync(keys.Blue, "claude-code", "SubagentStart", "s3", subAgent));
        var child = await OtlpKit.SessionAsync(keys.Admin, "otel:s:s3:a:a1");
        child.Str("parent_id").ShouldBe("otel:s:s3");
        child.GetProperty("labels").Str("team").ShouldBe("blue");
    }

    [Fact]
    public async Task ARedPermissionRequestForBluesAgentHoldsNoApprovalAndChangesNothing()
    {
        await using var keys = await ScopedKeys.StartAsync();
        await HookKit.OkAsync(HookKit.PostAsync(keys.Blue, "claude-code", "PreToolUse", "live", new { tool_name = "Bash", tool_input = new { command = "ls" } }));
        var before = await OtlpKit.SessionAsync(keys.Admin, "otel:s:live");

        var answer = await AnswerAsync(keys.Red, "PermissionRequest", "live", new { tool_name = "Bash", tool_input = new { command = "rm -rf /" } });

        answer.ShouldBe((200, "application/json", "{}"), "an accepted event with nothing to say, answered at once");
        var approvals = await keys.Admin.GetJsonAsync("/api/sessions/otel:s:live/approvals");
        approvals.Status.ShouldBe(200, approvals.Body.ToString());
        approvals.Body.GetProperty("approvals").GetArrayLength().ShouldBe(0);
        var after = await OtlpKit.SessionAsync(keys.Admin, "otel:s:live");
        (after.Long("version"), after.Str("state")).ShouldBe((before.Long("version"), "working"));
    }
}

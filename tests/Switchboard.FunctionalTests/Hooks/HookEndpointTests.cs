using System.Net;
using System.Text;
using Google.Protobuf;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Otlp;
using Switchboard.Server.Otlp;
using Switchboard.Testing;
using static Switchboard.FunctionalTests.Otlp.OtlpBodies;

namespace Switchboard.FunctionalTests.Hooks;

/// <summary>
/// <c>POST /hooks/{agent}</c> without a real agent: what a hostile or careless sender can and cannot do, the activity line,
/// and how hooks and telemetry share one session (docs/hooks.md).
/// </summary>
public sealed class HookEndpointTests
{
    [Fact]
    public async Task NulInHookInputIsDroppedWhereverItIsAndTheEventIsRecorded()
    {
        await using var server = await SwitchboardServer.StartAsync();
        // \u0000 escapes inside the strings, and raw NUL bytes between the tokens.
        var body = "{\"hook_event_name\":\"PreToolUse\",\0\"session_id\":\"ab\\u0000c\",\"cwd\":\"/w/pro\\u0000j\",\"tool_name\":\"Ba\\u0000sh\",\"tool_input\":{\"command\":\"ls\"}}\0";

        var answer = await HookKit.OkAsync(server.Http.PostAsync("/hooks/claude-code", HookKit.Json(body)));

        answer.ToString().ShouldBe("{}");
        var session = await OtlpKit.SessionAsync(server.Http, "otel:s:abc");
        session.Str("state").ShouldBe("working");
        session.Str("activity").ShouldBe("Bash");
        session.Str("name").ShouldBe("claude-code in proj");
    }

    [Fact]
    public async Task ABodyOverTheLimitIs413AndOneThatIsNoHookEventIs400AndNeitherWritesAnything()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Hooks.MaxBodyBytes = 2048);
        var big = await HookKit.PostAsync(server.Http, "codex", "PostToolUse", "big", new { tool_response = new string('x', 4096) });
        big.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await big.Content.ReadAsStringAsync()).ShouldContain("Switchboard:Hooks:MaxBodyBytes");

        var notJson = await server.Http.PostAsync("/hooks/codex", HookKit.Json("session_id=x"));
        notJson.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await notJson.Content.ReadAsStringAsync()).ShouldContain("invalid_hook");
        var noSession = await server.Http.PostAsync("/hooks/gemini-cli", HookKit.Json("""{"hook_event_name":"BeforeTool"}"""));
        noSession.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noSession.Content.ReadAsStringAsync()).ShouldContain("session_id");
        (await server.Http.PostAsync("/hooks/unknown-agent", HookKit.Json("{}"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        (await OtlpKit.SessionsAsync(server.Http)).ShouldBeEmpty();
    }

    [Fact]
    public async Task WithActivitySummaryAToolShowsItsCommandOnOneLineAndAFileToolItsPathOnly()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Hooks.Activity = Switchboard.Server.Hooks.Options.HookActivity.Summary);
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "PreToolUse", "sum", new { tool_name = "Write", tool_input = new { file_path = "/w/a.txt", content = "secret text" } }));
        (await OtlpKit.SessionAsync(server.Http, "otel:s:sum")).Str("activity").ShouldBe("Write: /w/a.txt");

        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "PreToolUse", "sum", new { tool_name = "Bash", tool_input = new { command = "cd src &&\n  make   all", description = "Build" } }));
        (await OtlpKit.SessionAsync(server.Http, "otel:s:sum")).Str("activity").ShouldBe("Bash: cd src && make all");

        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "PreToolUse", "sum", new { tool_name = "Bash", tool_input = new { command = new string('y', 500) } }));
        var clipped = (await OtlpKit.SessionAsync(server.Http, "otel:s:sum")).Str("activity");
        clipped.Length.ShouldBe(200);
        clipped.ShouldEndWith("…");
    }

    [Theory]
    [InlineData("permission_prompt", "waiting")]
    [InlineData("agent_needs_input", "waiting")]
    [InlineData("elicitation_dialog", "waiting")]
    [InlineData("idle_prompt", "idle")] // the agent waits for a prompt: its turn has ended, even one interrupted without a Stop
    public async Task AClaudeCodeNotificationThatAsksAPersonMakesTheSessionWaitingAndAnIdlePromptIdle(string type, string state)
    {
        await using var server = await SwitchboardServer.StartAsync();
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "UserPromptSubmit", "n", new { prompt = "never stored" }));
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "Notification", "n", new { notification_type = type, message = "Claude needs your permission" }));
        (await OtlpKit.SessionAsync(server.Http, "otel:s:n")).Str("state").ShouldBe(state);
        var log = (await server.Http.EventsAsync(sessionId: "otel:s:n")).Select(e => e.ToString()).ToList();
        log.ShouldAllBe(e => !e.Contains("never stored") && !e.Contains("needs your permission"), "prompt and message text never enter Switchboard");
    }

    [Fact]
    public async Task TheFirstHookMakesATelemetrySessionAcceptCommandsAndTelemetryThenAddsUsageWithoutMovingItsState()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var resource = Resource(Attr("service.name", "claude-code"), Attr("session.id", "both"));
        (await OtlpKit.PostAsync(server.Http, "/v1/logs", Logs(resource, Log("claude_code.api_request", Attr("input_tokens", 100), Attr("output_tokens", 10))).ToByteArray()))
            .EnsureSuccessStatusCode();
        var before = await OtlpKit.SessionAsync(server.Http, "otel:s:both");
        before.GetProperty("accepts_commands").GetBoolean().ShouldBeFalse();
        before.Str("state").ShouldBe("working");

        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "Stop", "both", new { stop_hook_active = false, last_assistant_message = "never stored" }));
        var hooked = await OtlpKit.SessionAsync(server.Http, "otel:s:both");
        hooked.GetProperty("accepts_commands").GetBoolean().ShouldBeTrue();
        hooked.Str("state").ShouldBe("idle");
        var change = (await server.Http.EventsAsync(sessionId: "otel:s:both"))[^1].GetProperty("data").GetProperty("changes");
        change.GetProperty("accepts_commands").GetBoolean().ShouldBeTrue("the change is on the log, so every subscriber learns it");

        (await OtlpKit.PostAsync(server.Http, "/v1/logs", Logs(resource, Log("claude_code.api_request", Attr("input_tokens", 200), Attr("output_tokens", 20))).ToByteArray()))
            .EnsureSuccessStatusCode();
        var after = await OtlpKit.SessionAsync(server.Http, "otel:s:both");
        after.Str("state").ShouldBe("idle", "the hooks own the state; telemetry would have said working");
        after.GetProperty("input_tokens").GetInt64().ShouldBe(300);
        (await OtlpKit.SessionsAsync(server.Http)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task AHookedSessionIsNeverIdledForQuietButEndsAfterTheLongQuietAsTelemetryDoes()
    {
        var clock = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Otlp.IdleAfter = TimeSpan.FromSeconds(30);
            o.Otlp.EndAfter = TimeSpan.FromMinutes(10);
        }, time: clock);
        var monitor = server.Get<QuietMonitor>();
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "codex", "PreToolUse", "quiet", new { tool_name = "Bash", tool_input = new { command = "sleep 600" } }));

        clock.Advance(TimeSpan.FromMinutes(9));
        await monitor.CheckAsync();
        (await OtlpKit.SessionAsync(server.Http, "otel:s:quiet")).Str("state").ShouldBe("working", "a long tool is still working: its hooks say when it stops");

        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await monitor.CheckAsync();
        (await OtlpKit.SessionAsync(server.Http, "otel:s:quiet")).Str("state").ShouldBe("terminated", "its terminal closed without SessionEnd");
        (await server.Http.EventsAsync(sessionId: "otel:s:quiet"))[^1].GetProperty("data").Str("reason").ShouldBe("quiet");
    }

    [Fact]
    public async Task SessionEndEndsTheSessionWithItsReasonAfterTheGraceAndTheTelemetryExportedMeanwhileCounts()
    {
        var clock = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(o => o.Hooks.EndGrace = TimeSpan.FromSeconds(10), time: clock);
        var monitor = server.Get<QuietMonitor>();
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "gemini-cli", "AfterAgent", "end"));
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "gemini-cli", "SessionEnd", "end", new { reason = "exit" }));
        // Gemini CLI exports its telemetry as it exits, after its SessionEnd hook.
        var resource = Resource(Attr("service.name", "gemini-cli"), Attr("session.id", "end"));
        (await OtlpKit.PostAsync(server.Http, "/v1/logs", Logs(resource, Log("gemini_cli.api_response", Attr("input_token_count", 70), Attr("output_token_count", 7))).ToByteArray()))
            .EnsureSuccessStatusCode();
        (await OtlpKit.SessionAsync(server.Http, "otel:s:end")).Str("state").ShouldBe("idle");

        clock.Advance(TimeSpan.FromSeconds(11));
        await monitor.CheckAsync();
        var ended = await OtlpKit.SessionAsync(server.Http, "otel:s:end");
        ended.Str("state").ShouldBe("terminated");
        ended.GetProperty("input_tokens").GetInt64().ShouldBe(70);
        (await server.Http.EventsAsync(sessionId: "otel:s:end"))[^1].GetProperty("data").Str("reason").ShouldBe("exit");
    }

    [Fact]
    public async Task WithNoGraceSessionEndEndsTheSessionAtOnceAndAnEndOfASessionNobodySawCreatesNone()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Hooks.EndGrace = TimeSpan.Zero);
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "SessionEnd", "never-seen", new { reason = "other" }));
        (await OtlpKit.SessionsAsync(server.Http)).ShouldBeEmpty();

        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "SessionStart", "now", new { source = "startup" }));
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "SessionEnd", "now", new { reason = "prompt_input_exit" }));
        (await OtlpKit.SessionAsync(server.Http, "otel:s:now")).Str("state").ShouldBe("terminated");
        (await server.Http.EventsAsync(sessionId: "otel:s:now"))[^1].GetProperty("data").Str("reason").ShouldBe("prompt_input_exit");
    }
}

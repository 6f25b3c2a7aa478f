using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Otlp;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Hooks;

/// <summary>
/// An agent resumed after its end (Claude Code's <c>--resume</c> sends hooks with the same <c>session_id</c> after
/// <c>SessionEnd</c>) goes on in a continuation of its ended session, the way its telemetry does, instead of being dropped.
/// </summary>
public sealed class HookContinuationTests
{
    [Fact]
    public async Task HooksAfterSessionEndContinueTheEndedSessionInItsContinuation()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Hooks.EndGrace = TimeSpan.Zero);
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "SessionStart", "resumed"));
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "SessionEnd", "resumed", new { reason = "exit" }));
        (await OtlpKit.SessionAsync(server.Http, "otel:s:resumed")).Str("state").ShouldBe("terminated");

        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "SessionStart", "resumed"));
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "PreToolUse", "resumed", new { tool_name = "Bash", tool_input = new { command = "ls" } }));

        var continued = await OtlpKit.SessionAsync(server.Http, "otel:s2:resumed");
        continued.Str("state").ShouldBe("working");
        continued.Str("continues").ShouldBe("otel:s:resumed");
        continued.Str("activity").ShouldBe("Bash");
        continued.GetProperty("labels").GetProperty("service").GetString().ShouldBe("claude-code");
        (await OtlpKit.SessionAsync(server.Http, "otel:s:resumed")).Str("state").ShouldBe("terminated", "terminated stays final");

        // The resumed run's end ends the continuation, and creates nothing more.
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "SessionEnd", "resumed", new { reason = "exit" }));
        await TestTimeouts.Eventually(async () => (await OtlpKit.SessionAsync(server.Http, "otel:s2:resumed")).Str("state") == "terminated",
            "the continuation to end");
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "SessionEnd", "resumed", new { reason = "exit" }));
        (await server.Http.GetJsonAsync("/api/sessions/otel:s3:resumed")).Status.ShouldBe(404);
    }
}

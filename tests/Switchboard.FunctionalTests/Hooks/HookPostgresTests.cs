using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using Switchboard.FunctionalTests.MultiNode;
using Switchboard.FunctionalTests.Otlp;
using Switchboard.Testing;
using static Switchboard.FunctionalTests.Otlp.OtlpBodies;

namespace Switchboard.FunctionalTests.Hooks;

/// <summary>Hooks on two real nodes sharing one PostgreSQL database: the session, its activity and its commands are the fleet's, not a node's.</summary>
public sealed class HookPostgresTests(PostgresClusterFixture postgres)
{
    [Fact]
    public async Task TelemetryOnOneNodeAndHooksOnTheOtherMakeOneSessionAndACommandIssuedOnEitherReachesTheAgent()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var nodes = await NodePair.StartAsync(db, environment: new Dictionary<string, string> { ["Switchboard__Otlp__GrpcUrls"] = "" });
        var resource = Resource(Attr("service.name", "claude-code"), Attr("session.id", "pg-agent"));
        (await OtlpKit.PostAsync(nodes.HttpB, "/v1/logs", Logs(resource, Log("claude_code.api_request", Attr("input_tokens", 100), Attr("output_tokens", 10))).ToByteArray()))
            .EnsureSuccessStatusCode();
        (await OtlpKit.SessionAsync(nodes.HttpA, "otel:s:pg-agent")).GetProperty("accepts_commands").GetBoolean().ShouldBeFalse();

        await HookKit.OkAsync(HookKit.PostAsync(nodes.HttpA, "claude-code", "PreToolUse", "pg-agent", new { tool_name = "Bash", tool_input = new { command = "ls" } }));
        await TestTimeouts.Eventually(async () =>
        {
            var seen = await OtlpKit.SessionAsync(nodes.HttpB, "otel:s:pg-agent");
            return seen.GetProperty("accepts_commands").GetBoolean() && seen.GetProperty("activity").GetString() == "Bash";
        }, "node B sees the hooked session", TestTimeouts.Long);

        var issued = await nodes.HttpB.PostAsJsonAsync("/api/sessions/otel:s:pg-agent/commands", new { type = "message", text = "Use tabs." });
        issued.EnsureSuccessStatusCode();
        var commandId = JsonDocument.Parse(await issued.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        var answer = await HookKit.OkAsync(HookKit.PostAsync(nodes.HttpA, "claude-code", "PostToolUse", "pg-agent", new { tool_name = "Bash", tool_response = "ok" }));

        var output = answer.GetProperty("hookSpecificOutput");
        output.GetProperty("hookEventName").GetString().ShouldBe("PostToolUse");
        output.GetProperty("additionalContext").GetString().ShouldBe("Message from the operator (Switchboard): Use tabs.");
        var command = JsonDocument.Parse(await nodes.HttpB.GetStringAsync($"/api/sessions/otel:s:pg-agent/commands/{commandId}")).RootElement;
        command.GetProperty("state").GetString().ShouldBe("acknowledged");
        command.GetProperty("outcome").GetString().ShouldBe("done");
        var session = await OtlpKit.SessionAsync(nodes.HttpB, "otel:s:pg-agent");
        session.GetProperty("input_tokens").GetInt64().ShouldBe(100);
        session.GetProperty("state").GetString().ShouldBe("working");
        session.TryGetProperty("activity", out var activity).ShouldBeTrue();
        activity.ValueKind.ShouldBe(JsonValueKind.Null, "cleared once the tool ended");
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>
/// Gemini CLI's and Codex's own telemetry (issue 27: <c>gemini_cli.*</c> and <c>codex.*</c> log events, OTLP JSON as
/// their exporters send it) maps through the same table as Claude Code's; and telemetry from something that is no agent
/// is accepted, ignored and counted.
/// </summary>
public sealed class OtlpOtherAgentsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    [Fact]
    public async Task GeminiCliEventsMakeASessionWithItsUsageAndItsErrors()
    {
        var id = Guid.NewGuid().ToString();
        await PostLogsAsync("gemini-cli", id, 0,
            ("gemini_cli.user_prompt", [("prompt_length", 12)]),
            ("gemini_cli.api_response", [("model", "gemini-2.5-pro"), ("input_token_count", 400), ("output_token_count", 90), ("duration_ms", 800)]),
            ("gemini_cli.tool_call", [("function_name", "read_file")]),
            ("gemini_cli.api_response", [("model", "gemini-2.5-pro"), ("input_token_count", 100), ("output_token_count", 10)]));
        var session = await OtlpKit.SessionAsync(Http, "otel:s:" + id);
        session.Long("input_tokens").ShouldBe(500);
        session.Long("output_tokens").ShouldBe(100);
        session.Str("state").ShouldBe("working");
        session.Str("name").ShouldBe("gemini-cli");
        session.GetProperty("labels").Str("service").ShouldBe("gemini-cli");
        session.Str("usage_from").ShouldBe("events");

        // The agent's event sequence goes on across exports (a repeated one would be a retry, and add nothing).
        await PostLogsAsync("gemini-cli", id, 4, ("gemini_cli.api_error", [("error", "quota exceeded"), ("model", "gemini-2.5-pro")]));
        var failed = await OtlpKit.SessionAsync(Http, "otel:s:" + id);
        failed.Str("state").ShouldBe("error");
        failed.Str("error_message").ShouldBe("quota exceeded");
    }

    [Fact]
    public async Task CodexEventsMakeASessionWithItsUsage()
    {
        var id = Guid.NewGuid().ToString();
        await PostLogsAsync("codex_cli_rs", id, 0,
            ("codex.user_prompt", [("prompt_length", 30)]),
            ("codex.api_request", [("model", "gpt-5-codex")]),
            ("codex.sse_event", [("event.kind", "response.completed"), ("input_token_count", 2000), ("output_token_count", 300)]),
            ("codex.tool_decision", [("tool_name", "shell"), ("decision", "approved")]),
            ("codex.tool_result", [("tool_name", "shell"), ("success", "true")]));
        var session = await OtlpKit.SessionAsync(Http, "otel:s:" + id);
        session.Long("input_tokens").ShouldBe(2000);
        session.Long("output_tokens").ShouldBe(300);
        session.Str("state").ShouldBe("working");
        session.GetProperty("labels").Str("service").ShouldBe("codex_cli_rs");
    }

    [Fact]
    public async Task LogsOfSomethingThatIsNoAgentAreAcceptedIgnoredAndCounted()
    {
        var ignoredBefore = await OtlpKit.RecordsAsync(fixture.Server.Http, "logs", "ignored");
        var head = await OtlpKit.HeadAsync(Http);
        await PostLogsAsync("checkout-service", Guid.NewGuid().ToString(), 0, ("http.request", [("http.response.status_code", 200)]),
            ("order.placed", [("amount", 42)]));
        (await OtlpKit.HeadAsync(Http)).ShouldBe(head, "nothing was written");
        (await OtlpKit.RecordsAsync(fixture.Server.Http, "logs", "ignored")).ShouldBe(ignoredBefore + 2);
    }

    /// <summary>One OTLP/JSON logs export of <paramref name="service"/>: each record's body is its event name, with its attributes.</summary>
    private async Task PostLogsAsync(string service, string sessionId, int firstSequence, params (string Name, (string Key, object Value)[] Attributes)[] records)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var logRecords = new JsonArray();
        for (var i = 0; i < records.Length; i++)
        {
            var attributes = new JsonArray(Attribute("session.id", sessionId), Attribute("event.name", records[i].Name), Attribute("event.sequence", firstSequence + i));
            foreach (var (key, value) in records[i].Attributes)
            {
                attributes.Add(Attribute(key, value));
            }

            logRecords.Add(new JsonObject
            {
                ["timeUnixNano"] = (now + firstSequence + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["body"] = new JsonObject { ["stringValue"] = records[i].Name },
                ["attributes"] = attributes,
            });
        }

        var body = new JsonObject
        {
            ["resourceLogs"] = new JsonArray(new JsonObject
            {
                ["resource"] = new JsonObject { ["attributes"] = new JsonArray(Attribute("service.name", service)) },
                ["scopeLogs"] = new JsonArray(new JsonObject { ["scope"] = new JsonObject { ["name"] = service }, ["logRecords"] = logRecords }),
            }),
        };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync("/v1/logs", content);
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync());
    }

    private static JsonObject Attribute(string key, object value) => new()
    {
        ["key"] = key,
        ["value"] = value is int or long
            ? new JsonObject { ["intValue"] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) }
            : new JsonObject { ["stringValue"] = (string)value },
    };
}

using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;
using static Switchboard.FunctionalTests.Otlp.OtlpBodies;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>
/// Telemetry is never refused for a value (issue 44): a NUL (which PostgreSQL refuses in <c>text</c> and <c>jsonb</c>) or
/// a lone surrogate in any string that reaches a session is dropped or replaced, and the export is accepted, on both stores.
/// </summary>
public sealed class OtlpTextTests(PostgresClusterFixture postgres)
{
    private async Task<SwitchboardServer> StartAsync(string store)
    {
        if (store == "sqlite")
        {
            return await SwitchboardServer.StartAsync();
        }

        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        return await SwitchboardServer.StartAsync(store: b => b.UsePostgres(db));
    }

    private static Switchboard.Otlp.Proto.Trace.Span FailedChat()
    {
        var span = Span(Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.request.model", "opus\0-4"), Attr("gen_ai.usage.input_tokens", 10));
        span.Status = new() { Code = Switchboard.Otlp.Proto.Trace.Status.Types.StatusCode.Error, Message = "tool\0 crashed" };
        return span;
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AnExporterWhoseServiceNameHoldsANulIsAcceptedAndItsSessionHasTheNulRemoved(string store)
    {
        await using var server = await StartAsync(store);
        var session = Guid.NewGuid().ToString("N");
        var agent = Resource(Attr("service.name", "claude\0-code"), Attr("session.id", session));

        // Every string that reaches the session: the label and the name (service.name), a model label, an error message, a
        // log record's event.sequence (its dedupe key) and a metric attribute that becomes a label.
        await PostOkAsync(server.Http, Traces(agent, FailedChat()));
        await PostOkAsync(server.Http, Logs(agent, Log("claude_code.api_request", Attr("event.sequence", "7\0"), Attr("input_tokens", 100))));
        await PostOkAsync(server.Http, Sum(agent, "claude_code.lines_of_code.count", cumulative: false,
            Point(Now - 1_000_000, Now, 3, Attr("organization.id", "acme\0"))));

        var read = await OtlpKit.SessionAsync(server.Http, "otel:s:" + session);
        read.Str("name").ShouldBe("claude-code");
        var labels = read.GetProperty("labels");
        labels.Str("service").ShouldBe("claude-code");
        labels.Str("model").ShouldBe("opus-4");
        labels.Str("organization").ShouldBe("acme");
        read.Long("input_tokens").ShouldBe(110);

        // An error message, on a session of its own (the one above moved on to working).
        var failing = Guid.NewGuid().ToString("N");
        await PostOkAsync(server.Http, Traces(Resource(Attr("session.id", failing)), FailedChat()));
        (await OtlpKit.SessionAsync(server.Http, "otel:s:" + failing)).Str("error_message").ShouldBe("tool crashed");
        (await server.Http.GetAsync("/readyz")).IsSuccessStatusCode.ShouldBeTrue();
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task ALoneSurrogateEscapedInOtlpJsonBecomesAReplacementCharacter(string store)
    {
        // What a JavaScript exporter sends for a string cut in the middle of an emoji: JSON.stringify escapes the lone half.
        await using var server = await StartAsync(store);
        var session = Guid.NewGuid().ToString("N");
        var json = $$$"""
            {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agent\ud83dx"}},
              {"key":"session.id","value":{"stringValue":"{{{session}}}"}}]},
              "scopeLogs":[{"logRecords":[{"timeUnixNano":"{{{Now}}}","eventName":"claude_code.api_error",
                "attributes":[{"key":"error","value":{"stringValue":"bad \udc00 gateway \\ud800 \ud83d\ude00"}},{"key":"event.sequence","value":{"intValue":"1"}}]}]}]}]}
            """;
        using var response = await OtlpKit.PostAsync(server.Http, "/v1/logs", Encoding.UTF8.GetBytes(json), "application/json");
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        var read = await OtlpKit.SessionAsync(server.Http, "otel:s:" + session);
        read.GetProperty("labels").Str("service").ShouldBe("agent\ufffdx");
        read.Str("error_message").ShouldBe("bad \ufffd gateway \\ud800 \ud83d\ude00", "an escaped backslash and a whole pair stay as they are");
    }
}

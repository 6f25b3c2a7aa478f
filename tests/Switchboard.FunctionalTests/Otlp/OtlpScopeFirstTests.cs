using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Security;
using Switchboard.Otlp.Proto.Common;
using Switchboard.Otlp.Proto.Resource;
using static Switchboard.FunctionalTests.Otlp.OtlpBodies;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>
/// Telemetry sent with a key scoped by labels for another team's agent (issue 55, findings 1, 2 and 5): decided out of
/// the scope before anything is written, so it leaves no dedupe key and makes no continuation, and the exporter is
/// answered exactly as for a session id nobody has seen.
/// </summary>
public sealed class OtlpScopeFirstTests
{
    private static Resource Agent(string sessionId) =>
        Resource(Attr("service.name", "claude-code"), Attr("session.id", sessionId), Attr("user.email", "dev@blue.example"));

    private static KeyValue[] Request(long sequence, long inputTokens) =>
        [Attr("event.sequence", sequence), Attr("input_tokens", inputTokens), Attr("output_tokens", 0)];

    /// <summary>Status and body of the answer to one <c>api_request</c> log record: what the exporter reads.</summary>
    private static async Task<(int Status, string Body)> AnswerAsync(HttpClient http, string sessionId, long sequence, long inputTokens)
    {
        using var response = await PostAsync(http, Logs(Agent(sessionId), Log("claude_code.api_request", Request(sequence, inputTokens))));
        return ((int)response.StatusCode, Convert.ToHexString(await response.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task RedTelemetryForBluesEndedSessionMakesNoContinuationAndIsAnsweredAsAnUnknownIdIs()
    {
        await using var keys = await ScopedKeys.StartAsync();
        await PostOkAsync(keys.Blue, Logs(Agent("abc"), Log("claude_code.api_request", Request(1, 10))));
        (await keys.Blue.PostAsync("/api/sessions/otel:s:abc/terminate", new { reason = "done" })).Status.ShouldBe(200);
        var ended = await OtlpKit.SessionAsync(keys.Admin, "otel:s:abc");
        var head = await OtlpKit.HeadAsync(keys.Admin);

        var blue = await AnswerAsync(keys.Red, "abc", 2, 500);

        (await keys.Admin.GetJsonAsync("/api/sessions/otel:s2:abc")).Status.ShouldBe(404, "no continuation of blue's agent was made by red");
        (await keys.Admin.EventsAsync(since: head)).ShouldBeEmpty("the refused telemetry wrote nothing");
        (await OtlpKit.SessionAsync(keys.Admin, "otel:s:abc")).Long("version").ShouldBe(ended.Long("version"));
        blue.ShouldBe(await AnswerAsync(keys.Red, "never-seen", 2, 500), "blue's agent looks to red exactly as one nobody has seen");
        blue.Status.ShouldBe(200);

        // Blue's own agent, heard from again, continues in blue's scope.
        await PostOkAsync(keys.Blue, Logs(Agent("abc"), Log("claude_code.api_request", Request(3, 7))));
        var continued = await OtlpKit.SessionAsync(keys.Admin, "otel:s2:abc");
        continued.GetProperty("labels").Str("team").ShouldBe("blue");
        (continued.Str("continues"), continued.Long("input_tokens")).ShouldBe(("otel:s:abc", 7L));
    }

    [Fact]
    public async Task RedSequencesForBluesSessionLeaveNoDedupeKeyAndBluesOwnStillCount()
    {
        await using var keys = await ScopedKeys.StartAsync();
        await PostOkAsync(keys.Blue, Logs(Agent("abc"), Log("claude_code.api_request", Request(100, 10))));
        (await OtlpKit.SessionAsync(keys.Admin, "otel:s:abc")).Long("input_tokens").ShouldBe(10);

        for (var sequence = 1; sequence <= 3; sequence++)
        {
            (await AnswerAsync(keys.Red, "abc", sequence, 1)).ShouldBe((200, ""), "accepted, nothing to say: as for an unknown id");
        }

        await PostOkAsync(keys.Blue, Logs(Agent("abc"), Log("claude_code.api_request", Request(1, 100)), Log("claude_code.api_request", Request(2, 100))));
        var session = await OtlpKit.SessionAsync(keys.Admin, "otel:s:abc");
        session.Long("input_tokens").ShouldBe(210, "red's refused records claimed none of blue's sequence numbers");
        session.GetProperty("labels").Str("team").ShouldBe("blue");
        (await OtlpKit.RecordsAsync(keys.Admin, "logs", "outside_scope")).ShouldBe(3);
    }
}

using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;
using static Switchboard.FunctionalTests.Otlp.OtlpBodies;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>
/// One agent is one session at a time (issue 44): every signal names a record's session by the same precedence,
/// <c>session.id</c> (the record's, else its resource's) before <c>gen_ai.conversation.id</c>, so a record carrying
/// both lands in the same session whether it is a span, a log record or a metric point.
/// </summary>
public sealed class OtlpIdentityTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    [Fact]
    public async Task ASpanALogRecordAndAMetricPointCarryingBothIdsLandInTheSessionOfTheirSessionId()
    {
        var session = Guid.NewGuid().ToString("N");
        var conversation = "conv-" + Guid.NewGuid().ToString("N");
        var agent = Resource(Attr("service.name", "claude-code"));

        // The span carries both on itself; another span has its session.id on the resource only, as Claude Code sends it.
        await PostOkAsync(Http, Traces(agent, Span(Attr("gen_ai.operation.name", "chat"), Attr("session.id", session),
            Attr("gen_ai.conversation.id", conversation), Attr("gen_ai.usage.input_tokens", 10), Attr("gen_ai.usage.output_tokens", 1))));
        await PostOkAsync(Http, Traces(Resource(Attr("service.name", "claude-code"), Attr("session.id", session)),
            Span(Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.conversation.id", conversation), Attr("gen_ai.usage.input_tokens", 20))));
        await PostOkAsync(Http, Logs(agent, Log("claude_code.api_request", Attr("session.id", session), Attr("gen_ai.conversation.id", conversation),
            Attr("event.sequence", 1), Attr("input_tokens", 100), Attr("output_tokens", 5))));
        await PostOkAsync(Http, Sum(agent, "claude_code.lines_of_code.count", cumulative: false,
            Point(Now - 1_000_000, Now, 3, Attr("session.id", session), Attr("gen_ai.conversation.id", conversation))));

        var one = await OtlpKit.SessionAsync(Http, "otel:s:" + session);
        one.Long("input_tokens").ShouldBe(130, "the two spans and the log record");
        one.Long("output_tokens").ShouldBe(6);
        (await Http.GetJsonAsync("/api/sessions/otel:c:" + conversation)).Status.ShouldBe(404, "no second session for the same agent");
    }

    [Fact]
    public async Task WithoutASessionIdTheConversationIdNamesTheSessionForEverySignal()
    {
        var conversation = "conv-" + Guid.NewGuid().ToString("N");
        var agent = Resource(Attr("service.name", "planner"));
        await PostOkAsync(Http, Traces(agent, Span(Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.conversation.id", conversation),
            Attr("gen_ai.usage.input_tokens", 7))));
        await PostOkAsync(Http, Logs(agent, Log("claude_code.api_request", Attr("gen_ai.conversation.id", conversation), Attr("event.sequence", 1),
            Attr("input_tokens", 3))));
        (await OtlpKit.SessionAsync(Http, "otel:c:" + conversation)).Long("input_tokens").ShouldBe(10);
    }
}

using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;
using static Switchboard.FunctionalTests.Otlp.OtlpBodies;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>
/// A cumulative metric stream is identified by its resource and scope too, as the OpenTelemetry data model says (issue 44):
/// two processes reporting the same metric with the same attributes for one session are two streams, and neither's total
/// is measured against the other's.
/// </summary>
public sealed class OtlpMetricStreamTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    [Fact]
    public async Task TwoProcessesSendingTheSameCumulativeMetricForOneSessionDoNotAddEachOthersTotals()
    {
        var session = Guid.NewGuid().ToString("N");
        var start = Now - 60_000_000_000;
        Switchboard.Otlp.Proto.Resource.Resource Process(string instance) =>
            Resource(Attr("service.name", "claude-code"), Attr("service.instance.id", instance));

        // Both started at the same moment (one start time), and their exports interleave: a at 100 then 150, b at 120 then 170.
        (string Instance, ulong At, double Total)[] exports = [("a", start + 10, 100), ("b", start + 20, 120), ("a", start + 30, 150), ("b", start + 40, 170)];
        foreach (var (instance, at, total) in exports)
        {
            await PostOkAsync(Http, Sum(Process(instance), "claude_code.token.usage", cumulative: true,
                Point(start, at, total, Attr("session.id", session), Attr("type", "input"), Attr("model", "opus"))));
        }

        // Each process's own total, added up: 150 + 170. Measured as one stream it was 100 + 20 + 30 + 20 = 170.
        (await OtlpKit.SessionAsync(Http, "otel:s:" + session)).Long("input_tokens").ShouldBe(320);

        // Each stream still takes only its own growth, and a retry of either adds nothing.
        await PostOkAsync(Http, Sum(Process("b"), "claude_code.token.usage", cumulative: true,
            Point(start, start + 40, 170, Attr("session.id", session), Attr("type", "input"), Attr("model", "opus"))));
        await PostOkAsync(Http, Sum(Process("a"), "claude_code.token.usage", cumulative: true,
            Point(start, start + 50, 155, Attr("session.id", session), Attr("type", "input"), Attr("model", "opus"))));
        (await OtlpKit.SessionAsync(Http, "otel:s:" + session)).Long("input_tokens").ShouldBe(325);
    }
}

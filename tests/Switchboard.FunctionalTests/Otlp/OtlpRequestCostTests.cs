using Google.Protobuf;
using Switchboard.FunctionalTests.Http;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Metrics;
using Switchboard.Testing;
using static Switchboard.FunctionalTests.Otlp.OtlpBodies;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>
/// Issue 55's reproductions, sent to a real server: a resource's values are read once for all its records, and only the
/// first 4,096 characters of a value are looked at. Before, a 1 MB resource attribute over 5,000 gauge points was copied
/// and hashed 5,000 times (26 GB allocated for one request, where it now takes 16 MB), and a <c>service.name</c> of millions
/// of NULs was walked to its end once per record. What the node allocates is counted for the whole process (server and
/// client), so the class runs alone.
/// </summary>
[Collection(nameof(OtlpRequestCostTests))]
[CollectionDefinition(nameof(OtlpRequestCostTests), DisableParallelization = true)]
public sealed class OtlpRequestCostTests(ITestOutputHelper output)
{
    /// <summary>A few dozen times the request: what decoding, mapping, committing and answering it take, not once per point.</summary>
    private const long AllocationBound = 128L << 20;

    [Fact]
    public async Task AOneMegabyteResourceAttributeOverFiveThousandGaugePointsIsAnsweredAndAllocatesAFewTimesItsSize()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long }; // a big request on a busy machine
        await PostOkAsync(http, Gauges("warm-up", new string('w', 1_000), points: 50)); // the code and buffers the request runs
        var request = Gauges("repro", new string('x', 1 << 20), points: 5_000);
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var answer = ExportMetricsServiceResponse.Parser.ParseFrom(await PostOkAsync(http, request));

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine($"{request.CalculateSize():N0} bytes of request, {allocated:N0} bytes allocated to send, take and answer it");
        answer.PartialSuccess.ShouldBeNull("every point was taken");
        allocated.ShouldBeLessThan(AllocationBound, "the 1 MB attribute is read once, not once per point");
        var session = await OtlpKit.SessionAsync(server.Http, "otel:s:repro");
        session.GetProperty("labels").Str("service").ShouldBe("gauge-agent");
        (await OtlpKit.RecordsAsync(server.Http, "metrics", "accepted")).ShouldBe(5_050);
    }

    [Fact]
    public async Task AServiceNameOfMillionsOfNulsIsReadToTheValueCapAndEveryRecordCounted()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var resource = Resource(Attr("service.name", new string('\0', 2_600_000) + "past-the-cap"), Attr("session.id", "nul-name"));
        var records = Enumerable.Range(1, 5_000)
            .Select(i => Log("claude_code.api_request", Attr("event.sequence", i), Attr("input_tokens", 1))).ToArray();

        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        await PostOkAsync(http, Logs(resource, records));

        var session = await OtlpKit.SessionAsync(server.Http, "otel:s:nul-name");
        session.Long("input_tokens").ShouldBe(5_000);
        var labels = session.GetProperty("labels");
        labels.TryGetProperty("service", out _).ShouldBeFalse("the name starts 2.6 million characters in, past the 4,096 the mapping looks at");
        labels.Str("source").ShouldBe("opentelemetry");
    }

    /// <summary>A <c>claude_code.</c> gauge of <paramref name="points"/> points under a resource naming the session and carrying <paramref name="large"/>.</summary>
    private static ExportMetricsServiceRequest Gauges(string session, string large, int points)
    {
        var gauge = new Gauge();
        for (var i = 0; i < points; i++)
        {
            gauge.DataPoints.Add(Point(Now - 1_000_000, Now + (ulong)i, 1 + i));
        }

        var resource = Resource(Attr("service.name", "gauge-agent"), Attr("session.id", session), Attr("host.description", large));
        return new ExportMetricsServiceRequest
        {
            ResourceMetrics =
            {
                new ResourceMetrics
                {
                    Resource = resource,
                    ScopeMetrics = { new ScopeMetrics { Metrics = { new Metric { Name = "claude_code.session.count", Gauge = gauge } } } },
                },
            },
        };
    }
}

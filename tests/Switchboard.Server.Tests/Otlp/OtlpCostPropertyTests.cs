using Google.Protobuf;
using Switchboard.Otlp.Shapes;
using Switchboard.Server.Otlp;

namespace Switchboard.Server.Tests.Otlp;

/// <summary>
/// No OTLP request costs more than its size (issue 55): decoding and mapping a request allocates about as much per MB
/// whatever its shape (<see cref="OtlpShape"/>), for every signal, as protobuf and as OTLP JSON. Bytes allocated stand
/// for the work here because they are exact where time is not; what the shapes cost in CPU is measured by
/// <c>OtlpShapeBenchmark</c> (docs/benchmarks.md). Before resource values were read once per resource, the huge
/// attribute was copied and hashed once per record: thousands of times more per MB than the other shapes.
/// <see cref="OtlpShape.DenseNesting"/> is measured there and not asserted here: nesting with nothing at each level costs
/// the protobuf decoder (an object per nested message) about twice as much per MB before the mapping sees it.
/// </summary>
public sealed class OtlpCostPropertyTests(ITestOutputHelper output)
{
    private const int RequestBytes = 1 << 20;

    public static TheoryData<string, bool> Encodings => new()
    {
        { "traces", false }, { "traces", true }, { "logs", false }, { "logs", true }, { "metrics", false }, { "metrics", true },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void DecodingAndMappingARequestAllocatesWithinTwiceAsMuchPerMegabyteWhateverItsShape(string signalName, bool json)
    {
        var signal = Enum.Parse<OtlpSignal>(signalName, ignoreCase: true);
        var perMegabyte = new Dictionary<OtlpShape, double>();
        foreach (var shape in (OtlpShape[])[OtlpShape.HugeResourceAttribute, OtlpShape.ManySmallRecords, OtlpShape.DeepNesting])
        {
            var request = OtlpShapes.Build(signal, shape, RequestBytes);
            var body = json ? OtlpShapes.Json(request) : request.ToByteArray();
            var megabytes = body.Length / (double)RequestBytes;
            OtlpShapes.DecodeAndMap(signal, body, json).Accepted.ShouldBeGreaterThan(0, $"{shape}: every record is one the mapping takes");

            // The first run above compiled and warmed what these run.
            perMegabyte[shape] = Allocated(() => OtlpShapes.DecodeAndMap(signal, body, json)) / megabytes;
            var decoding = Allocated(() => OtlpCodec.Decode(signal, body, json)) / megabytes;
            output.WriteLine($"{signal} {(json ? "json" : "protobuf")} {shape}: {body.Length:N0} bytes, " +
                $"{perMegabyte[shape] / RequestBytes:F1} MB allocated per MB ({decoding / RequestBytes:F1} of them decoding)");
        }

        // Against the everyday shape, the most records per MB: read from the wire, a shape of fewer records (nesting
        // skipped in place) may cost less than it, never more than twice.
        var (everyday, dearest) = (perMegabyte[OtlpShape.ManySmallRecords], perMegabyte.MaxBy(p => p.Value));
        (dearest.Value / everyday).ShouldBeLessThanOrEqualTo(2.0,
            $"{dearest.Key} costs {dearest.Value / RequestBytes:F1} MB per MB of request, {OtlpShape.ManySmallRecords} {everyday / RequestBytes:F1}");
    }

    private static long Allocated(Action work)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        work();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}

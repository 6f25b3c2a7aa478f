using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Switchboard.Otlp.Shapes;
using Switchboard.Server.Otlp;

namespace Switchboard.Benchmarks;

/// <summary>
/// What one OTLP request of 1 MiB costs the node before it writes (decoding, mapping, one write per session), in each
/// shape of issue 55's acceptance (<see cref="OtlpShape"/>), for each signal, as protobuf and as OTLP JSON. Divide the
/// mean by the body's size (printed at setup) for the CPU per MB; <c>OtlpCostPropertyTests</c> asserts the allocations.
/// </summary>
public class OtlpShapeBenchmark
{
    private OtlpSignal _signal;
    private byte[] _body = [];

    [Params("traces", "logs", "metrics")]
    public string Signal { get; set; } = "traces";

    [Params(nameof(OtlpShape.HugeResourceAttribute), nameof(OtlpShape.ManySmallRecords), nameof(OtlpShape.DeepNesting), nameof(OtlpShape.DenseNesting))]
    public string Shape { get; set; } = nameof(OtlpShape.HugeResourceAttribute);

    [Params(false, true)]
    public bool Json { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _signal = Enum.Parse<OtlpSignal>(Signal, ignoreCase: true);
        var request = OtlpShapes.Build(_signal, Enum.Parse<OtlpShape>(Shape), 1 << 20);
        _body = Json ? OtlpShapes.Json(request) : request.ToByteArray();
        Console.WriteLine($"// {Signal} {Shape} {(Json ? "json" : "protobuf")}: {_body.Length} bytes");
    }

    [Benchmark]
    public int DecodeAndMap() => OtlpShapes.DecodeAndMap(_signal, _body, Json).Accepted;
}

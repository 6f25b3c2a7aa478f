using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Otlp;

/// <summary>
/// An export request as its protobuf bytes, checked whole (<see cref="WireShape.Check"/>) when it is made: the mapping
/// reads it in place, and no object tree is made of it. Only <see cref="Read"/> makes one, so a reader of it never fails.
/// </summary>
internal sealed class OtlpRequest
{
    private readonly byte[] _bytes;

    private OtlpRequest(OtlpSignal signal, byte[] bytes) => (Signal, _bytes) = (signal, bytes);

    public OtlpSignal Signal { get; }

    /// <summary>A reader of the request message, at its start.</summary>
    public ProtoReader Reader => new(_bytes);

    /// <summary>The request <paramref name="bytes"/> hold (which it keeps), or throws <see cref="OtlpWireException"/> saying what is wrong with them.</summary>
    public static OtlpRequest Read(OtlpSignal signal, byte[] bytes)
    {
        var shape = signal switch
        {
            OtlpSignal.Traces => WireShape.Traces,
            OtlpSignal.Logs => WireShape.Logs,
            _ => WireShape.Metrics,
        };
        shape.Check(new ProtoReader(bytes), 0);
        return new OtlpRequest(signal, bytes);
    }
}

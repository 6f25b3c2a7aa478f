namespace Switchboard.Server.Otlp.Wire;

/// <summary>
/// Which fields of a message are messages themselves and which are strings (by field number), as the OTLP .proto files
/// in <c>Otlp/Protos</c> declare them: what <see cref="Check"/> descends into, and what must be UTF-8 (Google.Protobuf
/// refused a body with a string that is not, so this reader does too). Every other field is skipped with its length checked.
/// </summary>
internal sealed class WireShape(params int[] strings)
{
    private readonly Dictionary<int, WireShape> _children = [];

    public static readonly WireShape Traces, Logs, Metrics;

    static WireShape()
    {
        var anyValue = new WireShape(1);
        var keyValue = new WireShape(1).With(2, anyValue);
        anyValue.With(5, new WireShape().With(1, anyValue)).With(6, new WireShape().With(1, keyValue)); // array_value, kvlist_value
        var resource = new WireShape().With(1, keyValue);
        var scope = new WireShape(1, 2).With(3, keyValue);

        var span = new WireShape(3, 5).With(9, keyValue).With(11, new WireShape(2).With(3, keyValue)).With(13, new WireShape(3).With(4, keyValue))
            .With(15, new WireShape(2));
        Traces = Export(resource, scope, span);
        Logs = Export(resource, scope, new WireShape(3, 12).With(5, anyValue).With(6, keyValue));
        var points = new WireShape().With(1, new WireShape().With(7, keyValue));
        Metrics = Export(resource, scope, new WireShape(1, 2, 3).With(5, points).With(7, points));
    }

    /// <summary>
    /// Reads a whole message of this shape and everything below it, or throws <see cref="OtlpWireException"/>: after
    /// it, a walk over the same bytes cannot fail. The work is one pass over the bytes.
    /// </summary>
    public void Check(ProtoReader reader, int depth)
    {
        ProtoReader.CheckDepth(depth);
        while (reader.Next(out var field, out var wire))
        {
            if (wire == WireType.LengthDelimited && _children.TryGetValue(field, out var child))
            {
                child.Check(reader.Message(), depth + 1);
            }
            else if (wire == WireType.LengthDelimited && Array.IndexOf(strings, field) >= 0)
            {
                var at = reader.Position;
                if (!System.Text.Unicode.Utf8.IsValid(reader.Bytes().Span))
                {
                    throw new OtlpWireException($"the string at byte {at} is not valid UTF-8.");
                }
            }
            else
            {
                reader.Skip(wire, field, depth);
            }
        }
    }

    /// <summary>
    /// A request: its resource's records (field 1), each with a resource (1), scopes (2) and a schema URL (3), each scope
    /// with its scope (1), records (2) and schema URL (3).
    /// </summary>
    private static WireShape Export(WireShape resource, WireShape scope, WireShape record) =>
        new WireShape().With(1, new WireShape(3).With(1, resource).With(2, new WireShape(3).With(1, scope).With(2, record)));

    private WireShape With(int field, WireShape child)
    {
        _children[field] = child;
        return this;
    }
}

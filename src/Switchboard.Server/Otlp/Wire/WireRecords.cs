namespace Switchboard.Server.Otlp.Wire;

/// <summary>
/// What the mapping reads of a span (its attributes aside, which <see cref="Mapping.AttributeIndex"/> reads). Ids are
/// ranges of the request's bytes; a field sent twice counts as the protobuf decoder counts it, the last one.
/// </summary>
internal readonly record struct WireSpan(ReadOnlyMemory<byte> TraceId, ReadOnlyMemory<byte> SpanId, ReadOnlyMemory<byte> ParentSpanId,
    ulong StartTimeUnixNano, ulong EndTimeUnixNano, int StatusCode, ReadOnlyMemory<byte> StatusMessage)
{
    /// <summary>The status code that marks a span failed (<c>STATUS_CODE_ERROR</c>).</summary>
    public const int Error = 2;

    public static WireSpan Read(ProtoReader span)
    {
        var (trace, id, parent, start, end, code, message) = (ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0UL, 0UL, 0, ReadOnlyMemory<byte>.Empty);
        while (span.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, WireType.LengthDelimited):
                    trace = span.Bytes();
                    break;
                case (2, WireType.LengthDelimited):
                    id = span.Bytes();
                    break;
                case (4, WireType.LengthDelimited):
                    parent = span.Bytes();
                    break;
                case (7, WireType.Fixed64):
                    start = span.Fixed64();
                    break;
                case (8, WireType.Fixed64):
                    end = span.Fixed64();
                    break;
                case (15, WireType.LengthDelimited):
                    // A status sent twice merges: each of its fields as it comes.
                    var status = span.Message();
                    while (status.Next(out var f, out var w))
                    {
                        switch (f, w)
                        {
                            case (2, WireType.LengthDelimited):
                                message = status.Bytes();
                                break;
                            case (3, WireType.Varint):
                                code = (int)status.Varint();
                                break;
                            default:
                                status.Skip(w, f, 0);
                                break;
                        }
                    }

                    break;
                default:
                    span.Skip(wire, field, 0);
                    break;
            }
        }

        return new WireSpan(trace, id, parent, start, end, code, message);
    }
}

/// <summary>What the mapping reads of a log record (its attributes aside): its times, its <c>event_name</c> and its body.</summary>
internal readonly record struct WireLog(ulong TimeUnixNano, ulong ObservedTimeUnixNano, ReadOnlyMemory<byte> EventName, WireValue? Body)
{
    public static WireLog Read(ProtoReader record)
    {
        var (time, observed, name, body) = (0UL, 0UL, ReadOnlyMemory<byte>.Empty, (WireValue?)null);
        while (record.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, WireType.Fixed64):
                    time = record.Fixed64();
                    break;
                case (11, WireType.Fixed64):
                    observed = record.Fixed64();
                    break;
                case (12, WireType.LengthDelimited):
                    name = record.Bytes();
                    break;
                case (5, WireType.LengthDelimited):
                    body = WireAttribute.ReadValue(record.Message(), body ?? default);
                    break;
                default:
                    record.Skip(wire, field, 0);
                    break;
            }
        }

        return new WireLog(time, observed, name, body);
    }
}

/// <summary>What the mapping reads of a metric's number point (its attributes aside): its times and its value.</summary>
internal readonly record struct WirePoint(ulong StartTimeUnixNano, ulong TimeUnixNano, double Value)
{
    public static WirePoint Read(ProtoReader point)
    {
        var (start, time, value) = (0UL, 0UL, 0.0);
        while (point.Next(out var field, out var wire))
        {
            switch (field, wire)
            {
                case (2, WireType.Fixed64):
                    start = point.Fixed64();
                    break;
                case (3, WireType.Fixed64):
                    time = point.Fixed64();
                    break;
                case (4, WireType.Fixed64):
                    value = point.Double();
                    break;
                case (6, WireType.Fixed64):
                    value = (long)point.Fixed64();
                    break;
                default:
                    point.Skip(wire, field, 0);
                    break;
            }
        }

        return new WirePoint(start, time, value);
    }
}

/// <summary>
/// What the mapping reads of a metric: its name, and which of its data it has (a gauge, field 5, or a sum, field 7). The
/// data is a reader from the first of the fields that make it: the protobuf decoder keeps the last of the two kinds
/// sent, merging what is sent of it after the other kind was last.
/// </summary>
internal readonly record struct WireMetric(string Name, ProtoReader? Data, int DataField)
{
    private const int Gauge = 5, Sum = 7;

    /// <summary><c>AGGREGATION_TEMPORALITY_CUMULATIVE</c>.</summary>
    private const int Cumulative = 2;

    public static WireMetric Read(ProtoReader metric)
    {
        var name = ReadOnlyMemory<byte>.Empty;
        (ProtoReader? data, var dataField) = (null, 0);
        var before = metric;
        while (metric.Next(out var field, out var wire))
        {
            if (field == 1 && wire == WireType.LengthDelimited)
            {
                name = metric.Bytes();
            }
            else if (field is Gauge or Sum && wire == WireType.LengthDelimited)
            {
                if (field != dataField)
                {
                    (data, dataField) = (before, field);
                }

                metric.Bytes();
            }
            else
            {
                metric.Skip(wire, field, 0);
            }

            before = metric;
        }

        return new WireMetric(System.Text.Encoding.UTF8.GetString(name.Span), data, dataField);
    }

    /// <summary>How many points the metric's data has (none without data).</summary>
    public int Points()
    {
        var count = 0;
        if (Data is { } data)
        {
            foreach (var part in data.Messages(DataField))
            {
                foreach (var _ in part.Messages(1))
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>True for a sum whose temporality is cumulative (the last its parts say).</summary>
    public bool IsCumulative()
    {
        var temporality = 0;
        if (DataField == Sum && Data is { } data)
        {
            foreach (var part in data.Messages(Sum))
            {
                var sum = part;
                while (sum.Next(out var field, out var wire))
                {
                    if (field == 2 && wire == WireType.Varint)
                    {
                        temporality = (int)sum.Varint();
                    }
                    else
                    {
                        sum.Skip(wire, field, 0);
                    }
                }
            }
        }

        return temporality == Cumulative;
    }
}

using Google.Protobuf;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Trace;
using Switchboard.Server.Otlp;

namespace Switchboard.Server.Tests.Otlp;

/// <summary>
/// The OTLP JSON decoder before issue 59 (at fc92a42), kept as the reference the transcoder is held to: Google.Protobuf's
/// <c>JsonParser</c> into the generated messages, hex ids fixed (read as base64, their base64 text is the hex), lone
/// surrogate escapes mended first, then written back as protobuf for the wire reader.
/// </summary>
internal static class ObjectTreeJson
{
    private static readonly JsonParser Json = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static OtlpRequest Decode(OtlpSignal signal, ReadOnlySpan<byte> body)
    {
        var text = MendSurrogateEscapes(System.Text.Encoding.UTF8.GetString(body));
        IMessage message;
        switch (signal)
        {
            case OtlpSignal.Traces:
                var traces = Json.Parse<ExportTraceServiceRequest>(text);
                foreach (var span in traces.ResourceSpans.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans))
                {
                    (span.TraceId, span.SpanId, span.ParentSpanId) = (HexId(span.TraceId), HexId(span.SpanId), HexId(span.ParentSpanId));
                }

                message = traces;
                break;
            case OtlpSignal.Logs:
                var logs = Json.Parse<ExportLogsServiceRequest>(text);
                foreach (var record in logs.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords))
                {
                    (record.TraceId, record.SpanId) = (HexId(record.TraceId), HexId(record.SpanId));
                }

                message = logs;
                break;
            default:
                message = Json.Parse<ExportMetricsServiceRequest>(text);
                break;
        }

        return OtlpRequest.Read(signal, message.ToByteArray());
    }

    /// <summary>Every escaped lone surrogate made <c>\ufffd</c>, the same six characters (the parser refused the body for one).</summary>
    internal static string MendSurrogateEscapes(string json)
    {
        char[]? mended = null;
        var i = json.IndexOf('\\', StringComparison.Ordinal);
        while (i >= 0 && i + 1 < json.Length)
        {
            var step = 2;
            if (json[i + 1] == 'u' && Hex(json, i + 2) is { } unit)
            {
                step = 6;
                if (char.IsHighSurrogate(unit) && i + 7 < json.Length && json[i + 6] == '\\' && json[i + 7] == 'u'
                    && Hex(json, i + 8) is { } low && char.IsLowSurrogate(low))
                {
                    step = 12;
                }
                else if (char.IsSurrogate(unit))
                {
                    "\\ufffd".CopyTo((mended ??= json.ToCharArray()).AsSpan(i));
                }
            }

            i = i + step < json.Length ? json.IndexOf('\\', i + step) : -1;
        }

        return mended is null ? json : new string(mended);

        static char? Hex(string text, int at) =>
            at + 4 <= text.Length && ushort.TryParse(text.AsSpan(at, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var unit)
                ? (char)unit : null;
    }

    private static ByteString HexId(ByteString parsed)
    {
        if (parsed.IsEmpty)
        {
            return parsed;
        }

        try
        {
            return ByteString.CopyFrom(Convert.FromHexString(Convert.ToBase64String(parsed.Span)));
        }
        catch (FormatException)
        {
            return ByteString.Empty;
        }
    }
}

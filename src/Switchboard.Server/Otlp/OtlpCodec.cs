using Google.Protobuf;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Trace;
using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Otlp;

/// <summary>
/// Decodes export requests and encodes answers, as protobuf or as OTLP JSON. OTLP JSON is proto3 JSON except that trace
/// and span ids are hex, not base64: the parser reads them as base64 (hex digits are base64 digits, and 32 and 16
/// characters decode to whole bytes), so re-encoding those bytes as base64 gives back the hex text exactly.
/// </summary>
internal static class OtlpCodec
{
    private static readonly JsonParser Json = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
    private static readonly JsonFormatter JsonOut = new(JsonFormatter.Settings.Default);

    /// <summary>
    /// The request, or throws <see cref="OtlpWireException"/> (or <see cref="InvalidJsonException"/>) for a body that does
    /// not decode. Protobuf is read from its bytes, never made into objects; OTLP JSON is parsed into Google.Protobuf's
    /// messages and written back as protobuf, so that one reader maps both.
    /// </summary>
    public static OtlpRequest Decode(OtlpSignal signal, ReadOnlySpan<byte> body, bool json)
    {
        if (!json)
        {
            return OtlpRequest.Read(signal, body.ToArray());
        }

        var text = MendSurrogateEscapes(System.Text.Encoding.UTF8.GetString(body));
        IMessage message;
        switch (signal)
        {
            case OtlpSignal.Traces:
                var traces = Json.Parse<ExportTraceServiceRequest>(text);
                FixIds(traces);
                message = traces;
                break;
            case OtlpSignal.Logs:
                var logs = Json.Parse<ExportLogsServiceRequest>(text);
                foreach (var r in logs.ResourceLogs)
                {
                    foreach (var s in r.ScopeLogs)
                    {
                        foreach (var record in s.LogRecords)
                        {
                            record.TraceId = HexId(record.TraceId);
                            record.SpanId = HexId(record.SpanId);
                        }
                    }
                }

                message = logs;
                break;
            default:
                message = Json.Parse<ExportMetricsServiceRequest>(text);
                break;
        }

        return OtlpRequest.Read(signal, message.ToByteArray());
    }

    /// <summary>
    /// The answer for the signal, with <c>partial_success</c> only when something was rejected or there is something to
    /// say: with nothing rejected, a message is the specification's warning form (<c>rejected_*</c> 0, a message).
    /// </summary>
    public static IMessage Answer(OtlpSignal signal, long rejected, string? message)
    {
        if (rejected == 0 && string.IsNullOrEmpty(message))
        {
            return signal switch
            {
                OtlpSignal.Traces => new ExportTraceServiceResponse(),
                OtlpSignal.Logs => new ExportLogsServiceResponse(),
                _ => new ExportMetricsServiceResponse(),
            };
        }

        var error = message ?? "";
        return signal switch
        {
            OtlpSignal.Traces => new ExportTraceServiceResponse { PartialSuccess = new() { RejectedSpans = rejected, ErrorMessage = error } },
            OtlpSignal.Logs => new ExportLogsServiceResponse { PartialSuccess = new() { RejectedLogRecords = rejected, ErrorMessage = error } },
            _ => new ExportMetricsServiceResponse { PartialSuccess = new() { RejectedDataPoints = rejected, ErrorMessage = error } },
        };
    }

    public static byte[] Encode(IMessage message, bool json) =>
        json ? System.Text.Encoding.UTF8.GetBytes(JsonOut.Format(message)) : message.ToByteArray();

    /// <summary>
    /// OTLP JSON with every escaped lone surrogate (<c>\ud83d</c> without its low half) made <c>\ufffd</c>, the same six
    /// characters. JavaScript exporters send such escapes (<c>JSON.stringify</c> writes one for a string cut in the middle
    /// of an emoji), and the protobuf JSON parser refuses the whole body for one: telemetry is never refused for a value,
    /// so the value is mended instead (as the stores would need anyway). A body without backslashes is not copied.
    /// </summary>
    internal static string MendSurrogateEscapes(string json)
    {
        char[]? mended = null;
        var i = json.IndexOf('\\', StringComparison.Ordinal);
        while (i >= 0 && i + 1 < json.Length)
        {
            var step = 2; // a backslash and the character it escapes
            if (json[i + 1] == 'u' && Hex(json, i + 2) is { } unit)
            {
                step = 6;
                if (char.IsHighSurrogate(unit) && i + 7 < json.Length && json[i + 6] == '\\' && json[i + 7] == 'u'
                    && Hex(json, i + 8) is { } low && char.IsLowSurrogate(low))
                {
                    step = 12; // a pair, as it should be
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

    private static void FixIds(ExportTraceServiceRequest request)
    {
        foreach (var r in request.ResourceSpans)
        {
            foreach (var s in r.ScopeSpans)
            {
                foreach (var span in s.Spans)
                {
                    FixIds(span);
                }
            }
        }
    }

    private static void FixIds(Span span)
    {
        span.TraceId = HexId(span.TraceId);
        span.SpanId = HexId(span.SpanId);
        span.ParentSpanId = HexId(span.ParentSpanId);
    }

    /// <summary>The id whose hex text the JSON parser read as base64; empty when that text was not hex (the span is then refused).</summary>
    private static ByteString HexId(ByteString parsed)
    {
        if (parsed.IsEmpty)
        {
            return parsed;
        }

        var text = Convert.ToBase64String(parsed.Span);
        try
        {
            return ByteString.CopyFrom(Convert.FromHexString(text));
        }
        catch (FormatException)
        {
            return ByteString.Empty;
        }
    }
}

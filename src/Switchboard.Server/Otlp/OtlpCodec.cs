using Google.Protobuf;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Trace;

namespace Switchboard.Otlp;

/// <summary>
/// Decodes export requests and encodes answers, as protobuf or as OTLP JSON. OTLP JSON is proto3 JSON except that trace
/// and span ids are hex, not base64: the parser reads them as base64 (hex digits are base64 digits, and 32 and 16
/// characters decode to whole bytes), so re-encoding those bytes as base64 gives back the hex text exactly.
/// </summary>
internal static class OtlpCodec
{
    private static readonly JsonParser Json = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
    private static readonly JsonFormatter JsonOut = new(JsonFormatter.Settings.Default);

    /// <summary>The request, or throws <see cref="InvalidProtocolBufferException"/> (or <see cref="InvalidJsonException"/>) for a body that does not decode.</summary>
    public static IMessage Decode(OtlpSignal signal, ReadOnlySpan<byte> body, bool json)
    {
        if (!json)
        {
            return signal switch
            {
                OtlpSignal.Traces => ExportTraceServiceRequest.Parser.ParseFrom(body),
                OtlpSignal.Logs => ExportLogsServiceRequest.Parser.ParseFrom(body),
                _ => ExportMetricsServiceRequest.Parser.ParseFrom(body),
            };
        }

        var text = System.Text.Encoding.UTF8.GetString(body);
        switch (signal)
        {
            case OtlpSignal.Traces:
                var traces = Json.Parse<ExportTraceServiceRequest>(text);
                FixIds(traces);
                return traces;
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

                return logs;
            default:
                return Json.Parse<ExportMetricsServiceRequest>(text);
        }
    }

    /// <summary>The answer for the signal, with <c>partial_success</c> only when something was rejected.</summary>
    public static IMessage Answer(OtlpSignal signal, long rejected, string? message)
    {
        var error = message ?? "";
        return signal switch
        {
            OtlpSignal.Traces => rejected == 0 ? new ExportTraceServiceResponse()
                : new ExportTraceServiceResponse { PartialSuccess = new() { RejectedSpans = rejected, ErrorMessage = error } },
            OtlpSignal.Logs => rejected == 0 ? new ExportLogsServiceResponse()
                : new ExportLogsServiceResponse { PartialSuccess = new() { RejectedLogRecords = rejected, ErrorMessage = error } },
            _ => rejected == 0 ? new ExportMetricsServiceResponse()
                : new ExportMetricsServiceResponse { PartialSuccess = new() { RejectedDataPoints = rejected, ErrorMessage = error } },
        };
    }

    public static byte[] Encode(IMessage message, bool json) =>
        json ? System.Text.Encoding.UTF8.GetBytes(JsonOut.Format(message)) : message.ToByteArray();

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

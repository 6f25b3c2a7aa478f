using Google.Protobuf;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Server.Otlp.Json;

namespace Switchboard.Server.Otlp;

/// <summary>
/// Decodes export requests and encodes answers, as protobuf or as OTLP JSON (proto3 JSON with hex trace and span ids).
/// </summary>
internal static class OtlpCodec
{
    private static readonly JsonFormatter JsonOut = new(JsonFormatter.Settings.Default);

    /// <summary>
    /// The request, or throws <see cref="Wire.OtlpWireException"/> for a body that does
    /// not decode. Protobuf is read from its bytes, never made into objects; OTLP JSON is read token by token and written
    /// as the protobuf of the same request (<see cref="OtlpJsonTranscoder"/>), so that one reader maps both.
    /// </summary>
    public static OtlpRequest Decode(OtlpSignal signal, ReadOnlySpan<byte> body, bool json)
    {
        if (!json)
        {
            return OtlpRequest.Read(signal, body.ToArray());
        }

        var schema = signal switch
        {
            OtlpSignal.Traces => JsonMessage.Traces,
            OtlpSignal.Logs => JsonMessage.Logs,
            _ => JsonMessage.Metrics,
        };
        return OtlpRequest.Read(signal, OtlpJsonTranscoder.Transcode(schema, body));
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
}

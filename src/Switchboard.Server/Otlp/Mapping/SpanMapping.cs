using System.Globalization;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Trace;
using Switchboard.Writes;

namespace Switchboard.Otlp.Mapping;

/// <summary>GenAI spans to observations (<see cref="TelemetryMap.SpanOperations"/>). Other spans are ignored.</summary>
internal static class SpanMapping
{
    public static void Map(ExportTraceServiceRequest request, TelemetryBatch batch)
    {
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = resourceSpans.Resource?.Attributes;
            foreach (var scope in resourceSpans.ScopeSpans)
            {
                foreach (var span in scope.Spans)
                {
                    MapSpan(span, resource, batch);
                }
            }
        }
    }

    private static void MapSpan(Span span, Google.Protobuf.Collections.RepeatedField<Proto.Common.KeyValue>? resource, TelemetryBatch batch)
    {
        var operation = Attributes.String(span.Attributes, TelemetryMap.OperationAttribute);
        if (operation is null || !TelemetryMap.SpanOperations.TryGetValue(operation, out var rule))
        {
            batch.Ignore();
            return;
        }

        if (span.TraceId.Length != 16 || span.SpanId.Length != 8)
        {
            batch.Reject("a span's trace_id must be 16 bytes and its span_id 8 bytes");
            return;
        }

        var sessionId = Attributes.String(span.Attributes, TelemetryMap.ConversationIdAttribute) is { Length: > 0 } conversation
            ? SessionIdentity.FromConversation(conversation)
            : (Attributes.String(span.Attributes, TelemetryMap.SessionIdAttribute) ?? Attributes.String(resource, TelemetryMap.SessionIdAttribute)) is { Length: > 0 } session
                ? SessionIdentity.FromSessionId(session)
                : SessionIdentity.FromTrace(span.TraceId.Span);

        var isRoot = span.ParentSpanId.IsEmpty;
        var signal = isRoot ? rule.RootSignal : rule.Signal;
        string? error = null;
        if (span.Status?.Code == Status.Types.StatusCode.Error)
        {
            signal = TelemetrySignal.Error;
            error = span.Status.Message is { Length: > 0 } message ? message
                : Attributes.String(span.Attributes, TelemetryMap.ErrorTypeAttribute) ?? "error";
            error = TelemetryBatch.Clip(error, Sessions.SessionLimits.MaxErrorMessageLength);
        }

        long input = 0, output = 0;
        if (rule.CountsUsage)
        {
            input = Sum(span, TelemetryMap.SpanUsage.Input);
            output = Sum(span, TelemetryMap.SpanUsage.Output);
        }

        var ended = span.EndTimeUnixNano != 0 ? span.EndTimeUnixNano : span.StartTimeUnixNano;
        var key = Key(ended, span);
        var at = batch.Time(ended);
        batch.Observe(sessionId, new TelemetryObservation(key, at, signal, input, output, 0, error,
            rule.CountsUsage ? UsageSource.Events : UsageSource.None), span.Attributes, resource);
    }

    /// <summary>
    /// <c>t:{end second}{trace id}{span id}</c>, 64 hex digits. A retry repeats all three, so it finds the key; the time first
    /// makes new keys sort after the ones before them, so the key table grows at its end instead of at random places
    /// (trace and span ids are random), and its inserts touch the same few pages. Whole seconds, because an OTLP JSON
    /// exporter may send the nanoseconds as a JSON number, which a parser reads through a double: the same span sent as
    /// protobuf then differs in its last digits, never in its second (but 1 in some million, right at its edge).
    /// </summary>
    private static string Key(ulong ended, Span span) => string.Create(66, (ended, span), static (chars, state) =>
    {
        chars[0] = 't';
        chars[1] = ':';
        (state.ended / 1_000_000_000).TryFormat(chars[2..], out _, "x16", CultureInfo.InvariantCulture);
        Convert.TryToHexStringLower(state.span.TraceId.Span, chars[18..], out _);
        Convert.TryToHexStringLower(state.span.SpanId.Span, chars[50..], out _);
    });

    private static long Sum(Span span, string[] keys)
    {
        long total = 0;
        foreach (var key in keys)
        {
            if (Attributes.Long(span.Attributes, key) is > 0 and var value)
            {
                total += value;
            }
        }

        return total;
    }
}

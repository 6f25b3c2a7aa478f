using System.Buffers.Binary;
using System.Globalization;
using Switchboard.Core.Writes;
using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Otlp.Mapping;

/// <summary>
/// GenAI spans to observations (<see cref="TelemetryMap.SpanOperations"/>); other spans are ignored. Then the links between
/// sessions (<see cref="SpanLinks"/>): each mapped span's parent is followed up through the request's ignored spans (an
/// HTTP hop between two agents, say) to a mapped span of the request, or to a span outside it, whose session the store
/// finds or waits for.
/// </summary>
internal static class SpanMapping
{
    // Read on every span, so resolved once.
    private static readonly AttributeKey OperationKey = AttributeIndex.Key(TelemetryMap.OperationAttribute);
    private static readonly AttributeKey ErrorTypeKey = AttributeIndex.Key(TelemetryMap.ErrorTypeAttribute);
    private static readonly AttributeKey[] InputKeys = [.. TelemetryMap.SpanUsage.Input.Select(AttributeIndex.Key)];
    private static readonly AttributeKey[] OutputKeys = [.. TelemetryMap.SpanUsage.Output.Select(AttributeIndex.Key)];

    /// <summary>Maps an <c>ExportTraceServiceRequest</c> whose bytes <see cref="WireShape.Traces"/> checked.</summary>
    public static void Map(ProtoReader request, TelemetryBatch batch)
    {
        var tree = new SpanTree();
        ResourceAttributes resource = new();
        AttributeIndex attributes = new();
        List<(WireSpan Span, string Session, bool StartsAgents)>? mapped = null;
        foreach (var resourceSpans in request.Messages(1))
        {
            batch.Index(resource, resourceSpans);
            foreach (var scope in resourceSpans.Messages(2))
            {
                foreach (var record in scope.Messages(2))
                {
                    if (!batch.Admit())
                    {
                        continue;
                    }

                    var span = WireSpan.Read(record);
                    var session = MapSpan(span, batch.Index(attributes, record, 9), resource, batch, out var startsAgents);
                    if (span.TraceId.Length == 16 && span.SpanId.Length == 8)
                    {
                        tree.Add(Trace(span), Id(span.SpanId.Span), span.ParentSpanId.Length == 8 ? Id(span.ParentSpanId.Span) : 0, session);
                    }

                    if (session is not null)
                    {
                        (mapped ??= []).Add((span, session, startsAgents));
                    }
                }
            }
        }

        foreach (var (span, session, startsAgents) in mapped ?? [])
        {
            if (startsAgents)
            {
                batch.Starts(session, SpanLinks.Key(span.TraceId.Span, span.SpanId.Span));
            }

            Link(span, session, tree, batch);
        }
    }

    /// <summary>Follows <paramref name="span"/>'s parents through ignored spans of the request to the first that tells its parent session.</summary>
    private static void Link(WireSpan span, string session, SpanTree tree, TelemetryBatch batch)
    {
        var (owner, outside) = tree.ParentOf(Trace(span), span.ParentSpanId.Length == 8 ? Id(span.ParentSpanId.Span) : 0);
        if (owner is not null)
        {
            if (owner != session)
            {
                batch.ParentSession(session, owner);
            }
        }
        else if (outside != 0)
        {
            Span<byte> id = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(id, outside);
            batch.WaitsFor(session, SpanLinks.Key(span.TraceId.Span, id));
        }
    }

    private static UInt128 Trace(WireSpan span) => BinaryPrimitives.ReadUInt128BigEndian(span.TraceId.Span);

    private static ulong Id(ReadOnlySpan<byte> spanId) => BinaryPrimitives.ReadUInt64BigEndian(spanId);

    /// <summary>Observes a GenAI span; returns its session, or null when the span is ignored or refused.</summary>
    private static string? MapSpan(WireSpan span, AttributeIndex attributes, ResourceAttributes resource, TelemetryBatch batch, out bool startsAgents)
    {
        startsAgents = false;
        var operation = attributes.String(OperationKey);
        if (operation is null || !TelemetryMap.SpanOperations.TryGetValue(operation, out var rule))
        {
            batch.Ignore();
            return null;
        }

        if (span.TraceId.Length != 16 || span.SpanId.Length != 8)
        {
            batch.Reject("a span's trace_id must be 16 bytes and its span_id 8 bytes");
            return null;
        }

        var sessionId = SessionIdentity.Of(attributes, resource) ?? SessionIdentity.FromTrace(span.TraceId.Span);
        var isRoot = span.ParentSpanId.IsEmpty;
        var signal = isRoot ? rule.RootSignal : rule.Signal;
        string? error = null;
        if (span.StatusCode == WireSpan.Error)
        {
            signal = TelemetrySignal.Error;
            error = TelemetryText.Clean(span.StatusMessage.Length > 0 ? System.Text.Encoding.UTF8.GetString(span.StatusMessage.Span) : attributes.String(ErrorTypeKey) ?? "",
                Switchboard.Core.Sessions.SessionLimits.MaxErrorMessageLength) is { Length: > 0 } clean ? clean : "error";
        }

        long input = 0, output = 0;
        if (rule.CountsUsage)
        {
            input = Sum(attributes, InputKeys);
            output = Sum(attributes, OutputKeys);
        }

        var ended = span.EndTimeUnixNano != 0 ? span.EndTimeUnixNano : span.StartTimeUnixNano;
        var key = Key(ended, span);
        var at = batch.Time(ended);
        batch.Observe(sessionId, new TelemetryObservation(key, at, signal, input, output, 0, error,
            rule.CountsUsage ? UsageSource.Events : UsageSource.None), attributes, resource);
        startsAgents = rule.StartsAgents;
        return sessionId;
    }

    /// <summary>
    /// <c>t:{end second}{trace id}{span id}</c>, 64 hex digits. A retry repeats all three, so it finds the key; the time first
    /// makes new keys sort after the ones before them, so the key table grows at its end instead of at random places
    /// (trace and span ids are random), and its inserts touch the same few pages. Whole seconds, because an OTLP JSON
    /// exporter may send the nanoseconds as a JSON number, which a parser reads through a double: the same span sent as
    /// protobuf then differs in its last digits, never in its second (but 1 in some million, right at its edge).
    /// </summary>
    private static string Key(ulong ended, WireSpan span) => string.Create(66, (ended, span), static (chars, state) =>
    {
        chars[0] = 't';
        chars[1] = ':';
        (state.ended / 1_000_000_000).TryFormat(chars[2..], out _, "x16", CultureInfo.InvariantCulture);
        Convert.TryToHexStringLower(state.span.TraceId.Span, chars[18..], out _);
        Convert.TryToHexStringLower(state.span.SpanId.Span, chars[50..], out _);
    });

    private static long Sum(AttributeIndex attributes, AttributeKey[] keys)
    {
        long total = 0;
        foreach (var key in keys)
        {
            if (attributes.Long(key) is > 0 and var value)
            {
                total += value;
            }
        }

        return total;
    }
}

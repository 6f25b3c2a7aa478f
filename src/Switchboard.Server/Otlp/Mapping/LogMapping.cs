using System.Globalization;
using Switchboard.Core.Writes;
using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Otlp.Mapping;

/// <summary>Agent log events to observations (<see cref="TelemetryMap.LogEvents"/>). Other records are ignored.</summary>
internal static class LogMapping
{
    /// <summary>An <c>event.sequence</c> longer than this is hashed in the record's dedupe key, which stays short.</summary>
    private const int MaxSequenceLength = 64;

    private static readonly int MaxEventNameLength = TelemetryMap.LogEvents.Keys.Max(System.Text.Encoding.UTF8.GetByteCount);
    private static readonly System.Collections.Frozen.FrozenDictionary<string, (string, LogRule)>.AlternateLookup<ReadOnlySpan<char>> EventsByText =
        System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary(TelemetryMap.LogEvents, e => e.Key, e => (e.Key, e.Value), StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();

    // Read on every record, so resolved once.
    private static readonly AttributeKey EventNameKey = AttributeIndex.Key(TelemetryMap.EventNameAttribute);
    private static readonly AttributeKey SequenceKey = AttributeIndex.Key(TelemetryMap.EventSequenceAttribute);

    /// <summary>Maps an <c>ExportLogsServiceRequest</c> whose bytes <see cref="WireShape.Logs"/> checked.</summary>
    public static void Map(ProtoReader request, TelemetryBatch batch)
    {
        ResourceAttributes resource = new();
        AttributeIndex attributes = new();
        foreach (var resourceLogs in request.Messages(1))
        {
            batch.Index(resource, resourceLogs);
            foreach (var scope in resourceLogs.Messages(2))
            {
                foreach (var record in scope.Messages(2))
                {
                    if (batch.Admit())
                    {
                        MapRecord(WireLog.Read(record), batch.Index(attributes, record, 6), resource, batch);
                    }
                }
            }
        }
    }

    private static void MapRecord(WireLog record, AttributeIndex attributes, ResourceAttributes resource, TelemetryBatch batch)
    {
        var (name, rule) = Rule(record, attributes);
        if (rule is null || SessionIdentity.Of(attributes, resource) is not { } sessionId)
        {
            batch.Ignore(); // not an agent's event, or one with no session to put it in
            return;
        }

        var time = record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano;
        var key = attributes.String(SequenceKey) is { } sequence
            ? string.Create(CultureInfo.InvariantCulture, $"l:{sessionId}:{Sequence(sequence)}")
            : string.Create(CultureInfo.InvariantCulture, $"l:{sessionId}:{name}:{time}");

        long input = 0, output = 0;
        decimal cost = 0;
        if (rule.Usage is { } usage)
        {
            foreach (var k in usage.Input)
            {
                input += Math.Max(0, attributes.Long(k) ?? 0);
            }

            foreach (var k in usage.Output)
            {
                output += Math.Max(0, attributes.Long(k) ?? 0);
            }

            if (usage.CostUsd is { } costKey && attributes.Decimal(costKey) is > 0 and < Switchboard.Core.Sessions.SessionLimits.MaxCostUsd and var c)
            {
                cost = c;
            }
        }

        string? error = null;
        if (rule.ErrorAttribute is { } errorKey)
        {
            error = TelemetryText.Clean(attributes.String(errorKey) ?? name, Switchboard.Core.Sessions.SessionLimits.MaxErrorMessageLength) is { Length: > 0 } message ? message : "error";
        }

        batch.Observe(sessionId, new(key, batch.Time(time), rule.Signal, input, output, cost, error,
            rule.Usage is null ? UsageSource.None : UsageSource.Events), attributes, resource);
    }

    /// <summary>
    /// The sequence as it goes into the dedupe key: as sent when it is short and clean (a counter, as every agent sends),
    /// else its <see cref="TelemetryText.Digest"/>, so no key is long or holds what a store refuses.
    /// </summary>
    private static string Sequence(string sequence) =>
        sequence.Length <= MaxSequenceLength && TelemetryText.Clean(sequence, MaxSequenceLength) == sequence ? sequence : "h:" + TelemetryText.Digest(sequence);

    /// <summary>The event's name and rule: <c>event_name</c>, else the body text, else the <c>event.name</c> attribute.</summary>
    private static (string Name, LogRule? Rule) Rule(WireLog record, AttributeIndex attributes)
    {
        if (record.EventName.Length > 0 && Known(record.EventName.Span) is { } named)
        {
            return named;
        }

        if (record.Body is { Kind: ValueKind.String } body && Known(body.Utf8.Span) is { } bodied)
        {
            return bodied;
        }

        if (attributes.String(EventNameKey) is { } attribute && TelemetryMap.LogEvents.TryGetValue(attribute, out var rule))
        {
            return (attribute, rule);
        }

        return ("", null);
    }

    /// <summary>The event a name given as UTF-8 names, with its rule; null (and nothing allocated) for a name that is no agent's event.</summary>
    private static (string Name, LogRule Rule)? Known(ReadOnlySpan<byte> name)
    {
        if (name.Length > MaxEventNameLength)
        {
            return null;
        }

        Span<char> text = stackalloc char[MaxEventNameLength];
        var length = System.Text.Encoding.UTF8.GetChars(name, text);
        return EventsByText.TryGetValue(text[..length], out var known) ? known : null;
    }
}

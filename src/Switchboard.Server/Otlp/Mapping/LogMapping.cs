using System.Globalization;
using Switchboard.Core.Writes;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Common;
using Switchboard.Otlp.Proto.Logs;

namespace Switchboard.Server.Otlp.Mapping;

/// <summary>Agent log events to observations (<see cref="TelemetryMap.LogEvents"/>). Other records are ignored.</summary>
internal static class LogMapping
{
    /// <summary>An <c>event.sequence</c> longer than this is hashed in the record's dedupe key, which stays short.</summary>
    private const int MaxSequenceLength = 64;

    // Read on every record, so resolved once.
    private static readonly AttributeKey EventNameKey = AttributeIndex.Key(TelemetryMap.EventNameAttribute);
    private static readonly AttributeKey SequenceKey = AttributeIndex.Key(TelemetryMap.EventSequenceAttribute);

    public static void Map(ExportLogsServiceRequest request, TelemetryBatch batch)
    {
        ResourceAttributes resource = new();
        AttributeIndex attributes = new();
        foreach (var resourceLogs in request.ResourceLogs)
        {
            batch.Index(resource, resourceLogs.Resource?.Attributes);
            foreach (var scope in resourceLogs.ScopeLogs)
            {
                foreach (var record in scope.LogRecords)
                {
                    if (batch.Admit())
                    {
                        MapRecord(record, batch.Index(attributes, record.Attributes), resource, batch);
                    }
                }
            }
        }
    }

    private static void MapRecord(LogRecord record, AttributeIndex attributes, ResourceAttributes resource, TelemetryBatch batch)
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
    private static (string Name, LogRule? Rule) Rule(LogRecord record, AttributeIndex attributes)
    {
        if (record.EventName is { Length: > 0 } eventName && TelemetryMap.LogEvents.TryGetValue(eventName, out var rule))
        {
            return (eventName, rule);
        }

        if (record.Body?.ValueCase == AnyValue.ValueOneofCase.StringValue && TelemetryMap.LogEvents.TryGetValue(record.Body.StringValue, out rule))
        {
            return (record.Body.StringValue, rule);
        }

        if (attributes.String(EventNameKey) is { } attribute && TelemetryMap.LogEvents.TryGetValue(attribute, out rule))
        {
            return (attribute, rule);
        }

        return ("", null);
    }
}

using System.Globalization;
using Google.Protobuf.Collections;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Common;
using Switchboard.Otlp.Proto.Logs;
using Switchboard.Writes;

namespace Switchboard.Otlp.Mapping;

/// <summary>Agent log events to observations (<see cref="TelemetryMap.LogEvents"/>). Other records are ignored.</summary>
internal static class LogMapping
{
    public static void Map(ExportLogsServiceRequest request, TelemetryBatch batch)
    {
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var resource = resourceLogs.Resource?.Attributes;
            foreach (var scope in resourceLogs.ScopeLogs)
            {
                foreach (var record in scope.LogRecords)
                {
                    MapRecord(record, resource, batch);
                }
            }
        }
    }

    private static void MapRecord(LogRecord record, RepeatedField<KeyValue>? resource, TelemetryBatch batch)
    {
        var (name, rule) = Rule(record);
        if (rule is null)
        {
            batch.Ignore();
            return;
        }

        string sessionId;
        if ((Attributes.String(record.Attributes, TelemetryMap.SessionIdAttribute) ?? Attributes.String(resource, TelemetryMap.SessionIdAttribute)) is { Length: > 0 } session)
        {
            sessionId = SessionIdentity.FromSessionId(session);
        }
        else if (Attributes.String(record.Attributes, TelemetryMap.ConversationIdAttribute) is { Length: > 0 } conversation)
        {
            sessionId = SessionIdentity.FromConversation(conversation);
        }
        else
        {
            batch.Ignore(); // an agent's event with no session to put it in
            return;
        }

        var time = record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano;
        var key = Attributes.Text(Attributes.Find(record.Attributes, TelemetryMap.EventSequenceAttribute)) is { } sequence
            ? string.Create(CultureInfo.InvariantCulture, $"l:{sessionId}:{sequence}")
            : string.Create(CultureInfo.InvariantCulture, $"l:{sessionId}:{name}:{time}");

        long input = 0, output = 0;
        decimal cost = 0;
        if (rule.Usage is { } usage)
        {
            foreach (var k in usage.Input)
            {
                input += Math.Max(0, Attributes.Long(record.Attributes, k) ?? 0);
            }

            foreach (var k in usage.Output)
            {
                output += Math.Max(0, Attributes.Long(record.Attributes, k) ?? 0);
            }

            if (usage.CostUsd is { } costKey && Attributes.Decimal(record.Attributes, costKey) is > 0 and < Sessions.SessionLimits.MaxCostUsd and var c)
            {
                cost = c;
            }
        }

        string? error = null;
        if (rule.ErrorAttribute is { } errorKey)
        {
            error = TelemetryBatch.Clip(Attributes.String(record.Attributes, errorKey) ?? name ?? "error", Sessions.SessionLimits.MaxErrorMessageLength);
        }

        batch.Observe(sessionId, new(key, batch.Time(time), rule.Signal, input, output, cost, error,
            rule.Usage is null ? UsageSource.None : UsageSource.Events), record.Attributes, resource);
    }

    /// <summary>The event's name and rule: <c>event_name</c>, else the body text, else the <c>event.name</c> attribute.</summary>
    private static (string? Name, LogRule? Rule) Rule(LogRecord record)
    {
        if (record.EventName is { Length: > 0 } eventName && TelemetryMap.LogEvents.TryGetValue(eventName, out var rule))
        {
            return (eventName, rule);
        }

        if (record.Body?.ValueCase == AnyValue.ValueOneofCase.StringValue && TelemetryMap.LogEvents.TryGetValue(record.Body.StringValue, out rule))
        {
            return (record.Body.StringValue, rule);
        }

        if (Attributes.String(record.Attributes, TelemetryMap.EventNameAttribute) is { } attribute && TelemetryMap.LogEvents.TryGetValue(attribute, out rule))
        {
            return (attribute, rule);
        }

        return (null, null);
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.Collections;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Common;
using Switchboard.Otlp.Proto.Metrics;
using Switchboard.Writes;

namespace Switchboard.Otlp.Mapping;

/// <summary>
/// Agent metrics (<see cref="TelemetryMap.ActivityMetricPrefixes"/>) to observations: a point that names its session says
/// the agent was active; a point of a usage metric (<see cref="TelemetryMap.MetricUsage"/>) also carries tokens or cost.
/// Delta points carry their increment; cumulative points their stream's running total, which the store turns into the
/// increment since the stream's previous point (<see cref="Storage.TelemetryStreams"/>). Every point has a dedupe key
/// (its stream and its start and end times), so a retried export adds nothing.
/// </summary>
internal static class MetricMapping
{
    /// <summary>Totals past this are no agent's usage (and would not fit the counters): such points are ignored.</summary>
    private const double MaxTotal = 1e15;

    public static void Map(ExportMetricsServiceRequest request, TelemetryBatch batch)
    {
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var resource = resourceMetrics.Resource?.Attributes;
            foreach (var scope in resourceMetrics.ScopeMetrics)
            {
                foreach (var metric in scope.Metrics)
                {
                    var (points, cumulative) = metric.DataCase switch
                    {
                        Metric.DataOneofCase.Sum => (metric.Sum.DataPoints, metric.Sum.AggregationTemporality == AggregationTemporality.Cumulative),
                        Metric.DataOneofCase.Gauge => (metric.Gauge.DataPoints, false),
                        _ => (null, false),
                    };
                    if (points is null || !IsAgentMetric(metric.Name))
                    {
                        batch.Ignore();
                        continue;
                    }

                    TelemetryMap.MetricUsage.TryGetValue(metric.Name, out var usage);
                    foreach (var point in points)
                    {
                        MapPoint(metric.Name, point, cumulative, usage, resource, batch);
                    }
                }
            }
        }
    }

    private static void MapPoint(string metric, NumberDataPoint point, bool cumulative, MetricUsageRule? usage,
        RepeatedField<KeyValue>? resource, TelemetryBatch batch)
    {
        var value = point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
        var session = Attributes.String(point.Attributes, TelemetryMap.SessionIdAttribute)
            ?? Attributes.String(resource, TelemetryMap.SessionIdAttribute);
        if (value <= 0 || value > MaxTotal || double.IsNaN(value) || session is not { Length: > 0 })
        {
            batch.Ignore();
            return;
        }

        var sessionId = SessionIdentity.FromSessionId(session);
        var slot = Slot(usage, point.Attributes);
        var stream = Stream(sessionId, metric, point.Attributes);
        var key = string.Create(CultureInfo.InvariantCulture, $"m:{point.TimeUnixNano:x16}{point.StartTimeUnixNano:x16}{stream}");
        var at = batch.Time(point.TimeUnixNano);
        var amount = (decimal)value;
        var observation = cumulative
            ? new TelemetryObservation(key, at, TelemetrySignal.Activity,
                Cumulative: new CumulativePoint(stream, point.StartTimeUnixNano, point.TimeUnixNano, amount, slot))
            : new TelemetryObservation(key, at, TelemetrySignal.Activity,
                InputTokens: slot == UsageSlot.Input ? (long)Math.Round(value) : 0,
                OutputTokens: slot == UsageSlot.Output ? (long)Math.Round(value) : 0,
                CostUsd: slot == UsageSlot.Cost ? amount : 0,
                Usage: slot == UsageSlot.None ? UsageSource.None : UsageSource.Metrics);
        batch.Observe(sessionId, observation, point.Attributes, resource);
    }

    /// <summary>Which counter a point feeds (none when its metric or its type carries no usage).</summary>
    private static UsageSlot Slot(MetricUsageRule? usage, RepeatedField<KeyValue> attributes)
    {
        if (usage is null)
        {
            return UsageSlot.None;
        }

        if (usage.IsCost)
        {
            return UsageSlot.Cost;
        }

        var type = usage.TypeAttribute is { } key ? Attributes.String(attributes, key) : null;
        return type is null ? UsageSlot.None
            : usage.Input.Contains(type, StringComparer.Ordinal) ? UsageSlot.Input
            : usage.Output.Contains(type, StringComparer.Ordinal) ? UsageSlot.Output
            : UsageSlot.None;
    }

    /// <summary>
    /// A metric stream's identity: its session, its name and its point's attributes (in key order), hashed to 32 hex
    /// digits. The same on every node, and in every export of the same exporter.
    /// </summary>
    private static string Stream(string sessionId, string metric, RepeatedField<KeyValue> attributes)
    {
        var text = new StringBuilder(sessionId).Append('\n').Append(metric);
        foreach (var kv in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            text.Append('\n').Append(kv.Key).Append('=').Append(kv.Value?.ToString());
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 16));
    }

    private static bool IsAgentMetric(string name)
    {
        foreach (var prefix in TelemetryMap.ActivityMetricPrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

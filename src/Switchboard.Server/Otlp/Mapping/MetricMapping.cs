using System.Globalization;
using System.Security.Cryptography;
using System.Text;
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
        AttributeIndex resource = new(), scopeAttributes = new(), attributes = new();
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            batch.Index(resource, resourceMetrics.Resource?.Attributes);
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                string? origin = null; // the resource and scope's part of a stream's identity, made when a point needs it
                foreach (var metric in scopeMetrics.Metrics)
                {
                    var (points, cumulative) = metric.DataCase switch
                    {
                        Metric.DataOneofCase.Sum => (metric.Sum.DataPoints, metric.Sum.AggregationTemporality == AggregationTemporality.Cumulative),
                        Metric.DataOneofCase.Gauge => (metric.Gauge.DataPoints, false),
                        _ => (null, false),
                    };
                    if (points is null || !IsAgentMetric(metric.Name))
                    {
                        var count = Math.Max(1, points?.Count ?? 0);
                        batch.Ignore(batch.Admit(count));
                        continue;
                    }

                    TelemetryMap.MetricUsage.TryGetValue(metric.Name, out var usage);
                    foreach (var point in points)
                    {
                        if (batch.Admit())
                        {
                            origin ??= Origin(batch.Index(scopeAttributes, scopeMetrics.Scope?.Attributes), scopeMetrics.Scope, resource);
                            MapPoint(metric.Name, point, cumulative, usage, batch.Index(attributes, point.Attributes), resource, origin, batch);
                        }
                    }
                }
            }
        }
    }

    private static void MapPoint(string metric, NumberDataPoint point, bool cumulative, MetricUsageRule? usage,
        AttributeIndex attributes, AttributeIndex resource, string origin, TelemetryBatch batch)
    {
        var value = point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
        if (value <= 0 || value > MaxTotal || double.IsNaN(value) || SessionIdentity.Of(attributes, resource) is not { } sessionId)
        {
            batch.Ignore();
            return;
        }

        var slot = Slot(usage, attributes);
        var stream = Stream(origin, sessionId, metric, attributes);
        var key = string.Create(CultureInfo.InvariantCulture, $"m:{point.TimeUnixNano:x16}{point.StartTimeUnixNano:x16}{stream}");
        var at = batch.Time(point.TimeUnixNano);
        var amount = (decimal)value;
        var observation = cumulative
            ? new TelemetryObservation(key, at, TelemetrySignal.Activity,
                Cumulative: new CumulativePoint(stream, point.StartTimeUnixNano, point.TimeUnixNano, amount, slot)
                {
                    Previous = Stream(null, sessionId, metric, attributes),
                })
            : new TelemetryObservation(key, at, TelemetrySignal.Activity,
                InputTokens: slot == UsageSlot.Input ? (long)Math.Round(value) : 0,
                OutputTokens: slot == UsageSlot.Output ? (long)Math.Round(value) : 0,
                CostUsd: slot == UsageSlot.Cost ? amount : 0,
                Usage: slot == UsageSlot.None ? UsageSource.None : UsageSource.Metrics);
        batch.Observe(sessionId, observation, attributes, resource);
    }

    /// <summary>Which counter a point feeds (none when its metric or its type carries no usage).</summary>
    private static UsageSlot Slot(MetricUsageRule? usage, AttributeIndex attributes)
    {
        if (usage is null)
        {
            return UsageSlot.None;
        }

        if (usage.IsCost)
        {
            return UsageSlot.Cost;
        }

        var type = usage.TypeAttribute is { } key ? attributes.String(key) : null;
        return type is null ? UsageSlot.None
            : usage.Input.Contains(type, StringComparer.Ordinal) ? UsageSlot.Input
            : usage.Output.Contains(type, StringComparer.Ordinal) ? UsageSlot.Output
            : UsageSlot.None;
    }

    /// <summary>
    /// Where a stream comes from, as the OpenTelemetry data model identifies it: its resource's attributes and its
    /// instrumentation scope (name, version, attributes), each in key order. Two processes (two <c>service.instance.id</c>s)
    /// that report the same metric for the same session are two streams, whose totals never meet.
    /// </summary>
    private static string Origin(AttributeIndex scopeAttributes, InstrumentationScope? scope, AttributeIndex resource)
    {
        var text = new StringBuilder("resource");
        Append(text, resource);
        text.Append("\nscope\n").Append(scope?.Name).Append('\n').Append(scope?.Version);
        Append(text, scopeAttributes);
        return text.ToString();
    }

    /// <summary>
    /// A metric stream's identity: where it comes from (<see cref="Origin"/>), its session, its name and its point's
    /// attributes (in key order), hashed to 32 hex digits. The same on every node, and in every export of the same
    /// exporter. Without an origin, the identity streams had before they included it (<see cref="CumulativePoint.Previous"/>).
    /// </summary>
    private static string Stream(string? origin, string sessionId, string metric, AttributeIndex attributes)
    {
        var text = new StringBuilder(sessionId).Append('\n').Append(metric);
        Append(text, attributes);
        if (origin is not null)
        {
            text.Append('\n').Append(origin);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 16));
    }

    /// <summary>The attributes read (at most the cap of them), in key order, one per line.</summary>
    private static void Append(StringBuilder text, AttributeIndex attributes)
    {
        if (attributes.Source is not { } source)
        {
            return;
        }

        foreach (var kv in source.Take(attributes.Count).OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            text.Append('\n').Append(kv.Key).Append('=').Append(kv.Value?.ToString());
        }
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

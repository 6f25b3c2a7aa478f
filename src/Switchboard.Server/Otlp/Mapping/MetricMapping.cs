using System.Globalization;
using Switchboard.Core.Writes;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Metrics;

namespace Switchboard.Server.Otlp.Mapping;

/// <summary>
/// Agent metrics (<see cref="TelemetryMap.ActivityMetricPrefixes"/>) to observations: a point that names its session says
/// the agent was active; a point of a usage metric (<see cref="TelemetryMap.MetricUsage"/>) also carries tokens or cost.
/// Delta points carry their increment; cumulative points their stream's running total, which the store turns into the
/// increment since the stream's previous point (<see cref="Switchboard.Core.Storage.MetricSeries"/>). Every point has a dedupe key
/// (its stream and its start and end times), so a retried export adds nothing.
/// </summary>
internal static class MetricMapping
{
    /// <summary>Totals past this are no agent's usage (and would not fit the counters): such points are ignored.</summary>
    private const double MaxTotal = 1e15;

    public static void Map(ExportMetricsServiceRequest request, TelemetryBatch batch)
    {
        ResourceAttributes resource = new();
        AttributeIndex scopeAttributes = new(), attributes = new();
        var streams = new StreamIdentity();
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            streams.StartResource();
            batch.Index(resource, resourceMetrics.Resource?.Attributes);
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                byte[]? origin = null; // the resource and scope's part of a stream's identity, made when a point needs it
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
                    string? name = null; // as it enters a stream's identity, made when a point needs it
                    foreach (var point in points)
                    {
                        if (batch.Admit())
                        {
                            origin ??= streams.Origin(resource, batch.Index(scopeAttributes, scopeMetrics.Scope?.Attributes), scopeMetrics.Scope);
                            name ??= StreamIdentity.Metric(metric.Name);
                            var context = new PointContext(name, cumulative, usage, resource, origin);
                            MapPoint(context, point, batch.Index(attributes, point.Attributes), streams, batch);
                        }
                    }
                }
            }
        }
    }

    private static void MapPoint(in PointContext metric, NumberDataPoint point, AttributeIndex attributes, StreamIdentity streams, TelemetryBatch batch)
    {
        var value = point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
        if (value <= 0 || value > MaxTotal || double.IsNaN(value) || SessionIdentity.Of(attributes, metric.Resource) is not { } sessionId)
        {
            batch.Ignore();
            return;
        }

        var slot = Slot(metric.Usage, attributes);
        var (stream, previous) = streams.Of(metric.Origin, sessionId, metric.Name, attributes, previous: metric.Cumulative);
        var key = string.Create(CultureInfo.InvariantCulture, $"m:{point.TimeUnixNano:x16}{point.StartTimeUnixNano:x16}{stream}");
        var at = batch.Time(point.TimeUnixNano);
        var amount = (decimal)value;
        var observation = metric.Cumulative
            ? new TelemetryObservation(key, at, TelemetrySignal.Activity,
                Cumulative: new CumulativePoint(stream, point.StartTimeUnixNano, point.TimeUnixNano, amount, slot)
                {
                    Previous = previous,
                })
            : new TelemetryObservation(key, at, TelemetrySignal.Activity,
                InputTokens: slot == UsageSlot.Input ? (long)Math.Round(value) : 0,
                OutputTokens: slot == UsageSlot.Output ? (long)Math.Round(value) : 0,
                CostUsd: slot == UsageSlot.Cost ? amount : 0,
                Usage: slot == UsageSlot.None ? UsageSource.None : UsageSource.Metrics);
        batch.Observe(sessionId, observation, attributes, metric.Resource);
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

    /// <summary>What every point of a metric shares: its name as its streams' ids take it, its temporality and usage, and where its streams come from.</summary>
    private readonly record struct PointContext(string Name, bool Cumulative, MetricUsageRule? Usage, ResourceAttributes Resource, byte[] Origin);
}

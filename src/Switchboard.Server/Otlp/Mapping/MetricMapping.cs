using System.Globalization;
using Switchboard.Core.Writes;
using Switchboard.Server.Otlp.Wire;

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

    /// <summary>Maps an <c>ExportMetricsServiceRequest</c> whose bytes <see cref="WireShape.Metrics"/> checked.</summary>
    public static void Map(ProtoReader request, TelemetryBatch batch)
    {
        ResourceAttributes resource = new();
        AttributeIndex scopeAttributes = new(), attributes = new();
        var streams = new StreamIdentity();
        foreach (var resourceMetrics in request.Messages(1))
        {
            streams.StartResource();
            batch.Index(resource, resourceMetrics);
            foreach (var scopeMetrics in resourceMetrics.Messages(2))
            {
                byte[]? origin = null; // the resource and scope's part of a stream's identity, made when a point needs it
                foreach (var record in scopeMetrics.Messages(2))
                {
                    var metric = WireMetric.Read(record);
                    var name = metric.Name;
                    if (metric.Data is not { } data || !IsAgentMetric(name))
                    {
                        batch.Ignore(batch.Admit(Math.Max(1, metric.Points())));
                        continue;
                    }

                    TelemetryMap.MetricUsage.TryGetValue(name, out var usage);
                    var cumulative = metric.IsCumulative();
                    string? streamName = null; // as it enters a stream's identity, made when a point needs it
                    foreach (var part in data.Messages(metric.DataField))
                    {
                        foreach (var point in part.Messages(1))
                        {
                            if (batch.Admit())
                            {
                                origin ??= Origin(scopeMetrics, resource, batch.Index(scopeAttributes, scopeMetrics, 1, 3), streams);
                                streamName ??= StreamIdentity.Metric(name);
                                var context = new PointContext(streamName, cumulative, usage, resource, origin);
                                MapPoint(context, WirePoint.Read(point), batch.Index(attributes, point, 7), streams, batch);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The origin of a scope's streams: its name and version as the last of its parts says them, and its attributes.</summary>
    private static byte[] Origin(ProtoReader scopeMetrics, ResourceAttributes resource, AttributeIndex scopeAttributes, StreamIdentity streams)
    {
        var (name, version) = ("", "");
        foreach (var scope in scopeMetrics.Messages(1))
        {
            while (scope.Next(out var field, out var wire))
            {
                switch (field, wire)
                {
                    case (1, WireType.LengthDelimited):
                        name = System.Text.Encoding.UTF8.GetString(scope.Bytes().Span);
                        break;
                    case (2, WireType.LengthDelimited):
                        version = System.Text.Encoding.UTF8.GetString(scope.Bytes().Span);
                        break;
                    default:
                        scope.Skip(wire, field, 0);
                        break;
                }
            }
        }

        return streams.Origin(resource, scopeAttributes, name, version);
    }

    private static void MapPoint(in PointContext metric, WirePoint point, AttributeIndex attributes, StreamIdentity streams, TelemetryBatch batch)
    {
        var value = point.Value;
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

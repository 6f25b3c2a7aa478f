using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Metrics;
using Switchboard.Writes;

namespace Switchboard.Otlp.Mapping;

/// <summary>
/// Agent metrics to activity (<see cref="TelemetryMap.ActivityMetricPrefixes"/>): a point above zero that names its
/// session says the agent did something then. Usage is taken from events, never from metrics, so a point needs no
/// dedupe key (repeating it repeats only activity).
/// </summary>
internal static class MetricMapping
{
    public static void Map(ExportMetricsServiceRequest request, TelemetryBatch batch)
    {
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var resource = resourceMetrics.Resource?.Attributes;
            foreach (var scope in resourceMetrics.ScopeMetrics)
            {
                foreach (var metric in scope.Metrics)
                {
                    var points = metric.DataCase switch
                    {
                        Metric.DataOneofCase.Sum => metric.Sum.DataPoints,
                        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints,
                        _ => null,
                    };
                    if (points is null || !IsAgentMetric(metric.Name))
                    {
                        batch.Ignore();
                        continue;
                    }

                    foreach (var point in points)
                    {
                        var value = point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
                        var session = Attributes.String(point.Attributes, TelemetryMap.SessionIdAttribute)
                            ?? Attributes.String(resource, TelemetryMap.SessionIdAttribute);
                        if (value <= 0 || session is not { Length: > 0 })
                        {
                            batch.Ignore();
                            continue;
                        }

                        batch.Observe(SessionIdentity.FromSessionId(session),
                            new TelemetryObservation(null, batch.Time(point.TimeUnixNano), TelemetrySignal.Activity), point.Attributes, resource);
                    }
                }
            }
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

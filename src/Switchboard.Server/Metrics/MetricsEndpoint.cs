using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Switchboard.Metrics;

/// <summary><c>/metrics</c>: Switchboard's and the runtime's meters in the Prometheus text format.</summary>
internal static class MetricsEndpoint
{
    public static void Map(IEndpointRouteBuilder root) =>
        root.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Scrape(), PrometheusExporter.ContentType))
            .WithTags("Health").ExcludeFromDescription();
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Server.Http;

namespace Switchboard.Server.Metrics;

/// <summary><c>/metrics</c>: Switchboard's and the runtime's meters in the Prometheus text format.</summary>
internal static class MetricsEndpoint
{
    /// <summary>With auth on, scraping needs a key like any other read (Prometheus sends it as a bearer token).</summary>
    public static void Map(IEndpointRouteBuilder root) =>
        root.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Scrape(), PrometheusExporter.ContentType))
            .AddEndpointFilter<Switchboard.Server.Security.ApiAccessFilter>()
            .WithTags("Health").WithName("GetMetrics")
            .Answer(StatusCodes.Status200OK, PrometheusExporter.MediaType, OpenApiOperations.Schemas.Text)
            .CommonProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status421MisdirectedRequest);
}

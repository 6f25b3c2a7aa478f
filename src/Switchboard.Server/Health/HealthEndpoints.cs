using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Server.Http;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Health;

/// <summary>
/// <c>/healthz</c>: the process serves HTTP. <c>/readyz</c>: the node is ready to take writes and subscribers
/// (<see cref="NodeReadiness"/>), with the live loop's position and backlog and every background loop's state either way.
/// </summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => new JsonResult(StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            w.WriteString("status", "ok");
            w.WriteEndObject();
        })).WithTags("Health").WithName("GetHealth").Produces<HealthResponse>().NoApiKey().CommonProblems();
        // Outside the API's filters: a probe is answered 200 or 503, never refused.
        app.MapGet("/readyz", (NodeReadiness readiness) => Readyz(readiness.Check())).WithTags("Health").WithName("GetReadiness")
            .Produces<ReadinessResponse>().Produces<ReadinessResponse>(StatusCodes.Status503ServiceUnavailable).NoApiKey().CommonProblems();
    }

    private static JsonResult Readyz(ReadinessReport report) =>
        new(report.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, w =>
        {
            w.WriteStartObject();
            w.WriteString("status", report.Reason ?? "ready");
            w.WriteStartObject("live");
            w.WriteString("status", report.Live.ToString().ToLowerInvariant());
            w.WriteNumber("head_seq", report.HeadSeq);
            w.WriteNumber("pending_events", report.PendingEvents);
            w.WriteNumber("ms_since_progress", report.MillisecondsSinceProgress);
            w.WriteEndObject();
            w.WriteStartObject("store");
            w.WriteBoolean("writable", report.WriteFailure is null);
            w.WriteString("write_failure", report.WriteFailure);
            w.WriteEndObject();
            w.WriteStartObject("loops");
            foreach (var loop in report.Loops)
            {
                var health = loop.Health;
                w.WriteStartObject(loop.Name);
                w.WriteString("status", health.Word);
                w.WriteNumber("restarts", loop.Restarts);
                w.WriteString("failure", health.Failure);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
}

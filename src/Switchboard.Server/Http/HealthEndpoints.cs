using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Hosting;
using Switchboard.Storage;
using Switchboard.Responses;

namespace Switchboard.Http;

/// <summary><c>/healthz</c>: the process serves HTTP. <c>/readyz</c>: the store is open, its database reachable, and events flow.</summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Status(StatusCodes.Status200OK, "ok")).WithTags("Health").ExcludeFromDescription();
        app.MapGet("/readyz", (SwitchboardRuntime runtime, ISessionStore store) =>
            !runtime.IsReady ? Status(StatusCodes.Status503ServiceUnavailable, runtime.NotReadyReason ?? "starting")
            : (store as IStoreHealth)?.NotReadyReason is { } storeDown ? Status(StatusCodes.Status503ServiceUnavailable, storeDown)
            : Status(StatusCodes.Status200OK, "ready")).WithTags("Health").ExcludeFromDescription();
    }

    private static JsonResult Status(int status, string text) => new(status, w =>
    {
        w.WriteStartObject();
        w.WriteString("status", text);
        w.WriteEndObject();
    });
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Http;
using Switchboard.Server.Ingest;
using Switchboard.Server.Live;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Sessions;

/// <summary>The fleet pause flag: read it (any key: the flag is no session data), pause, resume (not a key scoped by labels).</summary>
internal static class FleetEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var fleet = api.MapGroup("/fleet").WithTags("Fleet");
        fleet.MapGet("", async (LiveReads live) => Flag(await live.FleetPausedAsync())).WithName("GetFleet").Produces<FleetResponse>();
        fleet.MapPost("/pause", (WriteIntake writer, CancellationToken ct) => SetAsync(writer, true, ct))
            .WithName("PauseFleet").Produces<FleetResponse>().Problems(503);
        fleet.MapPost("/resume", (WriteIntake writer, CancellationToken ct) => SetAsync(writer, false, ct))
            .WithName("ResumeFleet").Produces<FleetResponse>().Problems(503);
    }

    private static async Task<IResult> SetAsync(WriteIntake writer, bool paused, CancellationToken cancellationToken)
    {
        try
        {
            await writer.WriteAsync(new SetFleetPaused(paused), cancellationToken);
            return Flag(paused);
        }
        catch (StoreUnavailableException ex)
        {
            return UnavailableProblem.For(ex, "The fleet flag was not changed");
        }
    }

    private static JsonResult Flag(bool paused) => new(StatusCodes.Status200OK, w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("is_paused", paused);
        w.WriteEndObject();
    });
}

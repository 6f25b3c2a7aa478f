using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Switchboard.SignalRBaseline;

// The obvious alternative to Switchboard, written the way the SignalR docs suggest: a hub, groups, and an
// HTTP endpoint that publishes through IHubContext. Everything is left at SignalR's defaults.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
builder.Services.AddSignalR();

var app = builder.Build();
app.UseWebSockets();
app.MapHub<SessionsHub>("/hub");

// One event to the `sessions` group: the body is the event (about 200 bytes of JSON), forwarded as is.
app.MapPost("/publish", async (HttpRequest request, IHubContext<SessionsHub> hub) =>
{
    using var body = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
    await hub.Clients.Group(SessionsHub.SessionsGroup).SendAsync("session_updated", body.RootElement, request.HttpContext.RequestAborted);
    return Results.NoContent();
});

// A tick of several events, each to `sessions` and to its own `session:{id}` group, like one Switchboard batch.
app.MapPost("/publish-batch", async (HttpRequest request, IHubContext<SessionsHub> hub) =>
{
    using var body = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
    foreach (var e in body.RootElement.GetProperty("events").EnumerateArray())
    {
        var sessionId = e.GetProperty("session_id").GetString()!;
        await hub.Clients.Group(SessionsHub.SessionsGroup).SendAsync("session_updated", e, request.HttpContext.RequestAborted);
        await hub.Clients.Group("session:" + sessionId).SendAsync("session_detail", e, request.HttpContext.RequestAborted);
    }

    return Results.NoContent();
});

app.MapGet("/healthz", () => "ok");
app.Run();

using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Embedding;

/// <summary>AddSwitchboard/MapSwitchboard in a host app: the guard, and a prefix that really holds every endpoint.</summary>
public sealed class MapSwitchboardTests
{
    [Fact]
    public void MapSwitchboardWithoutAddSwitchboardThrowsAnErrorThatSaysWhatToDo()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();

        var ex = Should.Throw<InvalidOperationException>(() => app.MapSwitchboard());

        ex.Message.ShouldContain("AddSwitchboard");
        ex.Message.ShouldContain("before app.MapSwitchboard()");
    }

    [Theory]
    [InlineData("/switchboard")]
    [InlineData("switchboard")]
    [InlineData("/switchboard/")]
    [InlineData("/tools/switchboard")]
    public async Task APrefixServesTheWholeApiUnderItAndNothingOutsideIt(string prefix)
    {
        await using var host = await EmbeddedHost.StartAsync(prefix);
        var p = "/" + prefix.Trim('/');
        var http = host.Http;

        var (status, created, response) = await http.PostAsync(p + "/api/sessions", new { id = "embedded-1", state = "working" });
        status.ShouldBe(201, created.ToString());
        response.Headers.Location!.ToString().ShouldBe(p + "/api/sessions/embedded-1");
        (await http.GetJsonAsync(response.Headers.Location.ToString())).Body.Str("id").ShouldBe("embedded-1");
        (await http.PatchAsync(p + "/api/sessions/embedded-1", new { state = "idle" })).Status.ShouldBe(200);
        (await http.PostAsync(p + "/api/sessions/embedded-1/usage", new { input_tokens = 3 })).Status.ShouldBe(200);
        (await http.PostAsync(p + "/api/sessions/embedded-1/heartbeat")).Status.ShouldBe(200);
        (await http.PostAsync(p + "/api/batch", new { operations = new[] { new { op = "usage", id = "embedded-1", input_tokens = 1 } } })).Status.ShouldBe(200);
        (await http.GetJsonAsync(p + "/api/sessions?active=true")).Body.GetProperty("sessions").GetArrayLength().ShouldBe(1);
        (await http.GetJsonAsync(p + "/api/sessions/count")).Body.Long("active_sessions").ShouldBe(1);
        (await http.GetJsonAsync(p + "/api/summary")).Body.Long("input_tokens").ShouldBe(4);
        (await http.GetJsonAsync(p + "/api/events?since=0")).Body.GetProperty("events").GetArrayLength().ShouldBe(4); // the heartbeat is no event
        (await http.PostAsync(p + "/api/fleet/pause")).Body.GetProperty("is_paused").GetBoolean().ShouldBeTrue();
        (await http.GetJsonAsync(p + "/api/fleet")).Body.GetProperty("is_paused").GetBoolean().ShouldBeTrue();
        (await http.PostAsync(p + "/api/sessions/embedded-1/terminate")).Status.ShouldBe(200);
        (await http.GetAsync(p + "/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync(p + "/readyz")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var openApi = (await http.GetJsonAsync(p + "/openapi/v1.json")).Body;
        openApi.GetProperty("paths").EnumerateObject().Select(x => x.Name).ShouldContain(p + "/api/sessions");

        // The live stream under the prefix: SSE and the Phoenix socket.
        using (var sse = await http.GetAsync(p + "/api/stream?topics=sessions", HttpCompletionOption.ResponseHeadersRead))
        {
            sse.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
            using var reader = new StreamReader(await sse.Content.ReadAsStreamAsync());
            string? line;
            while ((line = await reader.ReadLineAsync().Within()) is not null && !line.StartsWith("event:", StringComparison.Ordinal))
            {
            }

            line.ShouldBe("event: joined");
        }

        await using (var phoenix = await PhoenixClient.ConnectAsync(new Uri($"ws://{host.Root.Authority}{p}/socket/websocket?vsn=2.0.0")))
        {
            var reply = await phoenix.JoinAsync("sessions");
            reply.Payload.GetProperty("status").GetString().ShouldBe("ok");
        }

        // Outside the prefix there is only the host's own app.
        (await http.GetAsync("/api/sessions")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetAsync("/socket/websocket?vsn=2.0.0")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetStringAsync("/")).ShouldBe(EmbeddedHost.HostHome);
    }

    public sealed record Order(string OrderId, int Quantity);

    [Fact]
    public async Task TheHostKeepsItsOwnOpenApiDocumentAndSwitchboardKeepsItsOwn()
    {
        await using var host = await EmbeddedHost.StartAsync("/switchboard",
            builder => builder.Services.AddOpenApi(),
            app =>
            {
                app.MapOpenApi();
                app.MapPost("/orders", (Order order) => order);
            });

        var hostDoc = (await host.Http.GetJsonAsync("/openapi/v1.json")).Body;
        var hostPaths = hostDoc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        hostPaths.ShouldContain("/orders");
        hostPaths.ShouldNotContain(p => p.StartsWith("/switchboard", StringComparison.Ordinal), "Switchboard stays out of the host's document");
        var order = hostDoc.GetProperty("components").GetProperty("schemas").GetProperty("Order").GetProperty("properties");
        order.TryGetProperty("orderId", out _).ShouldBeTrue("the host's schemas keep the host's naming, not Switchboard's snake_case");
        hostDoc.GetProperty("info").Str("title").ShouldNotBe("Switchboard");

        var ours = (await host.Http.GetJsonAsync("/switchboard/openapi/v1.json")).Body;
        var ourPaths = ours.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        ourPaths.ShouldContain("/switchboard/api/sessions");
        ourPaths.ShouldNotContain("/orders");
        ours.GetProperty("info").Str("title").ShouldBe("Switchboard");
    }
}

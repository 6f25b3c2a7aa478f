using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// The origin allow-list: the server's own origin and localhost pass, a foreign page gets 403 on the WebSocket handshake,
/// long-poll, SSE and the API — with auth off, which is when it matters most — and the list is configurable.
/// </summary>
public sealed class OriginTests
{
    private static Dictionary<string, string> Origin(string origin) => new() { ["Origin"] = origin };

    private static async Task<int> HandshakeAsync(SwitchboardServer server, string origin) =>
        (await RawWebSocket.HandshakeAsync(server.BaseAddress, headers: Origin(origin))).Status;

    [Fact]
    public async Task AForeignOriginIsRefusedOnTheHandshakeWhileOwnAndLocalhostOriginsPass()
    {
        await using var server = await SwitchboardServer.StartAsync();
        (await HandshakeAsync(server, "https://evil.example")).ShouldBe(403);
        (await HandshakeAsync(server, "null")).ShouldBe(403);
        (await HandshakeAsync(server, $"http://{server.BaseAddress.Authority}")).ShouldBe(101, "same origin");
        (await HandshakeAsync(server, "http://localhost:3000")).ShouldBe(101);
        (await HandshakeAsync(server, "http://127.0.0.1:8080")).ShouldBe(101);
        (await HandshakeAsync(server, "http://[::1]:9")).ShouldBe(101);
        (await RawWebSocket.HandshakeAsync(server.BaseAddress)).Status.ShouldBe(101, "no Origin: not a browser");
    }

    [Fact]
    public async Task TheAllowListIsConfigurable()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Security.AllowedOrigins.Add("https://ops.example.com");
            o.Security.AllowLocalhostOrigins = false;
        });
        (await HandshakeAsync(server, "https://ops.example.com")).ShouldBe(101);
        (await HandshakeAsync(server, "https://OPS.example.com")).ShouldBe(101, "origins compare case-insensitively");
        (await HandshakeAsync(server, "http://ops.example.com")).ShouldBe(403, "another scheme is another origin");
        (await HandshakeAsync(server, "http://localhost:3000")).ShouldBe(403);
        (await HandshakeAsync(server, $"http://{server.BaseAddress.Authority}")).ShouldBe(101, "its own origin always passes");

        await using var any = await SwitchboardServer.StartAsync(o => o.Security.AllowedOrigins.Add("*"));
        (await HandshakeAsync(any, "https://evil.example")).ShouldBe(101);
    }

    [Fact]
    public async Task AForeignPageCannotWriteOrReadThroughTheApi()
    {
        await using var server = await SwitchboardServer.StartAsync();
        // A cross-site form post needs no preflight; the server reads any content type as JSON, so the origin must be checked.
        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/fleet/pause");
        post.Headers.Add("Origin", "https://evil.example");
        var refused = await server.Http.SendAsync(post);
        ((int)refused.StatusCode).ShouldBe(403);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("origin_not_allowed");
        (await server.Http.GetJsonAsync("/api/fleet")).Body.GetProperty("is_paused").GetBoolean().ShouldBeFalse();

        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/stream?topics=summary");
        read.Headers.Add("Origin", "https://evil.example");
        ((int)(await server.Http.SendAsync(read)).StatusCode).ShouldBe(403);

        using var own = new HttpRequestMessage(HttpMethod.Post, "/api/fleet/pause");
        own.Headers.Add("Origin", $"http://{server.BaseAddress.Authority}");
        ((int)(await server.Http.SendAsync(own)).StatusCode).ShouldBe(200);
    }

    [Fact]
    public async Task LongPollAnswersForeignOrigins403AndOnlyEchoesAllowedOnes()
    {
        await using var server = await SwitchboardServer.StartAsync();
        async Task<(JsonElement Body, HttpResponseMessage Response)> ConnectAsync(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/socket/longpoll?vsn=2.0.0");
            request.Headers.Add("Origin", origin);
            var response = await server.Http.SendAsync(request);
            return (JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone(), response);
        }

        var (foreign, foreignResponse) = await ConnectAsync("https://evil.example");
        foreign.Long("status").ShouldBe(403);
        foreignResponse.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();

        var (local, localResponse) = await ConnectAsync("http://localhost:4000");
        local.Long("status").ShouldBe(410);
        localResponse.Headers.GetValues("Access-Control-Allow-Origin").Single().ShouldBe("http://localhost:4000");

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/socket/longpoll?vsn=2.0.0");
        preflight.Headers.Add("Origin", "https://evil.example");
        var answer = await server.Http.SendAsync(preflight);
        answer.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse("the browser will not send the real request");
    }
}

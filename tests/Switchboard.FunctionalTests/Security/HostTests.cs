using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// DNS rebinding: with auth off, a page on <c>evil.example</c> whose name is made to resolve to 127.0.0.1 reaches the
/// server same-origin, so the Origin check alone lets it through. The Host header names the page's host, and only
/// loopback names, IP addresses and configured hosts are answered, on every path: API, WebSocket, SSE and long-poll.
/// </summary>
public sealed class HostTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static Task<RawHttp.Answer> SendAsync(SwitchboardServer server, string method, string target, string host, string? origin = null,
        string extra = "") =>
        RawHttp.SendAsync(server.BaseAddress,
            $"{method} {target} HTTP/1.1\r\nHost: {host}\r\n{(origin is null ? "" : $"Origin: {origin}\r\n")}{extra}Content-Length: 0\r\nConnection: close\r\n\r\n", Wait);

    private const string Upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

    [Fact]
    public async Task WithAuthOffARebindingPageIsRefusedOnEveryPathAndChangesNothing()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var evil = $"evil.example:{server.BaseAddress.Port}";
        var origin = "http://" + evil;

        var pause = await SendAsync(server, "POST", "/api/fleet/pause", evil, origin);
        pause.Status.ShouldBe(421);
        pause.Text.ShouldContain("application/problem+json");
        pause.Body.ShouldContain("host_not_allowed");
        pause.Body.ShouldContain("AllowedHosts");
        (await server.Http.GetJsonAsync("/api/fleet")).Body.GetProperty("is_paused").GetBoolean().ShouldBeFalse("the refused write changed nothing");

        (await SendAsync(server, "POST", "/api/sessions", evil)).Status.ShouldBe(421, "a same-origin POST sends no Origin: the Host alone decides");
        (await SendAsync(server, "GET", "/api/sessions", evil)).Status.ShouldBe(421);
        (await SendAsync(server, "GET", "/api/stream?topics=summary", evil)).Status.ShouldBe(421);
        var ws = await RawHttp.SendAsync(server.BaseAddress,
            $"GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: {evil}\r\nOrigin: {origin}\r\n{Upgrade}\r\n", Wait);
        ws.Status.ShouldBe(421, ws.Text);

        var poll = await SendAsync(server, "GET", "/socket/longpoll?vsn=2.0.0", evil, origin);
        poll.Text.ShouldNotContain("Access-Control-Allow-Origin", Case.Insensitive);
        JsonDocument.Parse(poll.Body.Trim().Split("\r\n") is { Length: > 1 } chunked ? chunked[1] : poll.Body).RootElement.GetProperty("status").GetInt32().ShouldBe(403);
        (await server.Http.GetJsonAsync("/api/sessions/count")).Body.Long("total_sessions").ShouldBe(0);
    }

    [Fact]
    public async Task LoopbackNamesAddressesAndConfiguredHostsAreAnswered()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Security.AllowedHosts.AddRange(["switchboard.internal", "*.corp.example"]));
        var port = server.BaseAddress.Port;
        foreach (var host in new[] { $"localhost:{port}", $"api.localhost:{port}", $"127.0.0.1:{port}", $"[::1]:{port}", $"10.1.2.3:{port}",
                     "switchboard.internal", $"SWITCHBOARD.internal:{port}", "eu.corp.example" })
        {
            (await SendAsync(server, "GET", "/api/summary", host)).Status.ShouldBe(200, host);
        }

        (await SendAsync(server, "GET", "/api/summary", "corp.example.evil")).Status.ShouldBe(421);
        (await SendAsync(server, "GET", "/api/summary", "xcorp.example")).Status.ShouldBe(421, "*.corp.example matches subdomains only");
        var ws = await RawHttp.SendAsync(server.BaseAddress, $"GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: switchboard.internal\r\n{Upgrade}\r\n", TimeSpan.FromSeconds(1));
        ws.Status.ShouldBe(101);

        await using var any = await SwitchboardServer.StartAsync(o => o.Security.AllowedHosts.Add("*"));
        (await SendAsync(any, "GET", "/api/summary", "evil.example")).Status.ShouldBe(200, "'*' turns the check off");
    }

    [Fact]
    public async Task WithApiKeysTheHostIsNotCheckedUnlessHostsAreConfigured()
    {
        await using var secured = await Secured.StartAsync();
        var key = $"Authorization: Bearer {Secured.ReadKey}\r\n";
        (await SendAsync(secured.Server, "GET", "/api/summary", "switchboard.example.com", extra: key)).Status
            .ShouldBe(200, "a key is what a rebinding page cannot have");

        await using var pinned = await Secured.StartAsync(o => o.Security.AllowedHosts.Add("switchboard.example.com"));
        (await SendAsync(pinned.Server, "GET", "/api/summary", "switchboard.example.com", extra: key)).Status.ShouldBe(200);
        (await SendAsync(pinned.Server, "GET", "/api/summary", "other.example.com", extra: key)).Status.ShouldBe(421);
    }
}

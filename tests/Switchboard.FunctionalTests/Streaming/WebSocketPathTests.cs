using System.Net.WebSockets;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Transports;
using Switchboard.Server.Transports.WebSockets;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

/// <summary>
/// The two ways a WebSocket is accepted — at the connection level (the executable's default) and through the HTTP
/// endpoint (embedded hosts) — behave the same: same handshake checks, same refusals, same protocol.
/// </summary>
public sealed class WebSocketPathTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BothPathsServeThePhoenixProtocol(bool connectionLevel)
    {
        await using var server = await SwitchboardServer.StartAsync(connectionLevelWebSockets: connectionLevel);
        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri, o => o.AddSubProtocol("phoenix"));
        client.Socket.SubProtocol.ShouldBe("phoenix");
        (await client.JoinAsync("sessions")).Status.ShouldBe("ok");
        server.Get<ConnectionRegistry>().Snapshot().Cast<WebSocketConnection>().Single().IsConnectionLevel.ShouldBe(connectionLevel);

        await server.Http.CreateAsync("via-" + connectionLevel);
        (await client.WaitForAsync(f => f.Event == "session_created")).Seq.ShouldBe(1);
        (await client.HeartbeatAsync()).Status.ShouldBe("ok");
        // Plain HTTP on the same server is untouched by the connection-level check.
        (await server.Http.GetJsonAsync("/api/sessions")).Status.ShouldBe(200);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BothPathsRefuseTheSameWay(bool connectionLevel)
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Sockets.MaxConnections = 1, connectionLevelWebSockets: connectionLevel);
        var unserved = new Uri(server.WebSocketUri.GetLeftPart(UriPartial.Path) + "?vsn=3.0.0");
        (await Should.ThrowAsync<WebSocketException>(() => PhoenixClient.ConnectAsync(unserved))).Message.ShouldContain("403");
        var foreign = await Should.ThrowAsync<WebSocketException>(() =>
            PhoenixClient.ConnectAsync(server.WebSocketUri, o => o.SetRequestHeader("Origin", "https://evil.example")));
        foreign.Message.ShouldContain("403");

        await using var first = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await Should.ThrowAsync<WebSocketException>(() => PhoenixClient.ConnectAsync(server.WebSocketUri))).Message.ShouldContain("503");

        // A plain GET of the socket path is a 400 problem, not a hang or a dropped connection.
        (await server.Http.GetJsonAsync("/socket/websocket?vsn=2.0.0")).ShouldBeProblem(400);
    }

    [Fact]
    public async Task AnOversizedOrBrokenHandshakeIsAnsweredAndClosed()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var stream = tcp.GetStream();
        var huge = "GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: x\r\nX-Big: " + new string('a', 20_000) + "\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(huge));
        var reply = await new StreamReader(stream).ReadToEndAsync().WaitAsync(TestTimeouts.Default);
        reply.ShouldStartWith("HTTP/1.1 431");

        using var tcp2 = new System.Net.Sockets.TcpClient();
        await tcp2.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        await tcp2.GetStream().WriteAsync("GET /socket/websocket HTTP/1.0\r\n\r\n"u8.ToArray());
        (await new StreamReader(tcp2.GetStream()).ReadToEndAsync().WaitAsync(TestTimeouts.Default)).ShouldStartWith("HTTP/1.1 400");
        (await server.Http.GetJsonAsync("/healthz")).Status.ShouldBe(200);
    }
}

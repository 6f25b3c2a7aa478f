using System.Net.Sockets;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

/// <summary>
/// A connection must send its request head within the handshake timeout: silence, a single byte or a head cut short get
/// 408 and are closed, a head with bare LF line ends gets 400, and connections still sending their head hold a slot of
/// the connection limit, so they cannot be piled up beside it.
/// </summary>
public sealed class HandshakeTimeoutTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static Task<SwitchboardServer> StartAsync(int maxConnections = 100, TimeProvider? time = null) => SwitchboardServer.StartAsync(o =>
    {
        o.Sockets.HandshakeTimeout = TimeSpan.FromSeconds(1);
        o.Sockets.MaxConnections = maxConnections;
    }, time);

    [Theory]
    [InlineData("")]
    [InlineData("G")]
    [InlineData("GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: localhost\r\n")]
    public async Task ASilentOrTricklingPeerGets408AndIsClosed(string sent)
    {
        await using var server = await StartAsync();
        var answer = await RawHttp.SendAsync(server.BaseAddress, sent, Wait);
        answer.Status.ShouldBe(408, answer.Text);
        answer.Closed.ShouldBeTrue("the server closed the connection, the test did not time out");
    }

    [Theory]
    [InlineData("GET /socket/websocket?vsn=2.0.0 HTTP/1.1\nHost: localhost\nUpgrade: websocket\n\n")]
    [InlineData("GET /api/summary HTTP/1.1\nHost: localhost\n\n")]
    [InlineData("GET /api/summary HTTP/1.1\r\nHost: localhost\nX-Smuggled: 1\r\n\r\n")]
    public async Task BareLineFeedsGet400(string sent)
    {
        await using var server = await StartAsync();
        var answer = await RawHttp.SendAsync(server.BaseAddress, sent, Wait);
        answer.Status.ShouldBe(400, answer.Text);
        answer.Closed.ShouldBeTrue();
    }

    [Fact]
    public async Task PendingHandshakesCountAgainstTheConnectionLimitUntilTheyTimeOut()
    {
        // On a manual clock the silent heads time out when the test says, not whenever a loaded machine gets round to the
        // probe: with the real clock a probe that came more than the timeout after the connects found the slots free.
        var clock = new ManualTimeProvider();
        await using var server = await StartAsync(maxConnections: 3, clock);
        var silent = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var tcp = new TcpClient();
                await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
                silent.Add(tcp);
            }

            // The three silent connections hold every slot: a real client is refused, not admitted beside them, and
            // still is just short of the timeout.
            await TestTimeouts.Eventually(() => HandshakeAsync(server, 503), "the silent connections hold every slot", Wait);
            clock.Advance(TimeSpan.FromMilliseconds(900));
            (await HandshakeAsync(server, 503)).ShouldBeTrue("the slots are still held 0.9 s into the 1 s a head may take");

            // Once their heads time out, the slots are free again. Each try moves the clock on, so a head whose timer
            // was armed after an earlier step times out too.
            await TestTimeouts.Eventually(() =>
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                return HandshakeAsync(server, 101);
            }, "the slots are free once the heads time out", Wait);
            (await server.Http.GetAsync("/api/summary")).IsSuccessStatusCode.ShouldBeTrue("plain HTTP was never held back");
        }
        finally
        {
            silent.ForEach(t => t.Dispose());
        }
    }

    private static async Task<bool> HandshakeAsync(SwitchboardServer server, int expected)
    {
        var (status, _, socket) = await RawWebSocket.HandshakeAsync(server.BaseAddress);
        if (socket is not null)
        {
            await socket.DisposeAsync();
        }

        return status == expected;
    }
}

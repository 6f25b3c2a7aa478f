using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.LiveCore;

/// <summary>
/// A graceful stop (SIGTERM) of the real executable takes no new streams, answers the request in flight (its write is
/// committed), closes stream clients with 1001 so they resume elsewhere, and exits cleanly.
/// </summary>
public sealed class GracefulStopTests
{
    [Fact]
    public async Task AGracefulStopAnswersWhatIsInFlightTakesNoNewStreamsAndClosesStreamsWith1001()
    {
        using var data = new TempDirectory();
        // Hosting logs each request as it starts: how the test knows the server has the in-flight write before the stop.
        await using var server = await ServerProcess.StartAsync(data.Path,
            environment: new Dictionary<string, string> { ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information" });
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Default };
        await http.CreateAsync("s");
        await using var subscriber = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        await subscriber.JoinAsync("sessions");

        // A write in flight: its head and half its body are in when the stop begins.
        var body = Encoding.UTF8.GetBytes("""{"operations":[{"op":"usage","id":"s","input_tokens":7},{"op":"update","id":"s","name":"finished in flight"}]}""");
        using var inFlight = new TcpClient();
        await inFlight.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var stream = inFlight.GetStream();
        var head = $"POST /api/batch HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
        await stream.FlushAsync();
        await TestTimeouts.Eventually(() => server.Output.Contains("/api/batch", StringComparison.Ordinal), "the server to start the in-flight request");

        Posix.Kill(server.Pid, Posix.SigTerm);
        var (status, _) = await subscriber.Closed.WaitAsync(TestTimeouts.Long);
        status.ShouldBe(WebSocketCloseStatus.EndpointUnavailable, "1001: reconnect and resume elsewhere or after the restart");
        (await TryNewStreamAsync(server.BaseAddress)).ShouldBeFalse("a stopping node takes no new streams");

        await stream.WriteAsync(body.AsMemory(body.Length / 2));
        var response = await ReadResponseAsync(stream);
        response.ShouldStartWith("HTTP/1.1 200");
        response.ShouldContain("finished in flight");
        (await server.StopAsync().WaitAsync(TestTimeouts.Long).ContinueWith(t => t.IsCompletedSuccessfully)).ShouldBeTrue();

        // The write answered during the stop is durable.
        await using var restarted = await ServerProcess.StartAsync(data.Path);
        using var again = new HttpClient { BaseAddress = restarted.BaseAddress };
        var session = await again.GetJsonAsync("/api/sessions/s");
        session.Body.Str("name").ShouldBe("finished in flight");
        session.Body.Long("input_tokens").ShouldBe(7);
    }

    /// <summary>Whether a WebSocket upgrade is still accepted: a 503 or a refused connection both mean no.</summary>
    private static async Task<bool> TryNewStreamAsync(Uri server)
    {
        try
        {
            var (status, _, socket) = await RawWebSocket.HandshakeAsync(server);
            if (socket is not null)
            {
                await socket.DisposeAsync();
            }

            return status == 101;
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    private static async Task<string> ReadResponseAsync(NetworkStream stream)
    {
        var buffer = new byte[8192];
        var text = new StringBuilder();
        using var timeout = new CancellationTokenSource(TestTimeouts.Long);
        int n;
        while ((n = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
            if (text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && text.ToString().TrimEnd().EndsWith('}'))
            {
                break;
            }
        }

        return text.ToString();
    }
}

using System.Net.Sockets;
using System.Text;

namespace Switchboard.Testing;

/// <summary>
/// Sends bytes no HTTP client library would (a foreign Host, bare LF line ends, a head cut short, nothing at all) over
/// a bare TCP socket and reads what comes back until the server closes.
/// </summary>
public static class RawHttp
{
    /// <summary>What the server answered: the status (0 when it closed without one), the whole text, and whether it closed.</summary>
    public sealed record Answer(int Status, string Text, bool Closed)
    {
        public string Body => Text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var i and >= 0 ? Text[(i + 4)..] : "";
    }

    /// <summary>
    /// Sends <paramref name="request"/> (may be empty or partial) and reads until the server closes or <paramref name="wait"/>
    /// passes; with <paramref name="closeSending"/>, shuts its sending side first, as a client that gives up mid-body does.
    /// </summary>
    public static async Task<Answer> SendAsync(Uri server, byte[] request, TimeSpan wait, bool closeSending = false)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port).WaitAsync(TestTimeouts.Default);
        var stream = tcp.GetStream();
        if (request.Length > 0)
        {
            await stream.WriteAsync(request);
        }

        if (closeSending)
        {
            tcp.Client.Shutdown(SocketShutdown.Send);
        }

        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        using var timeout = new CancellationTokenSource(wait);
        var closed = false;
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, timeout.Token);
                if (n == 0)
                {
                    closed = true;
                    break;
                }

                received.Write(buffer, 0, n);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            closed = true; // reset
        }

        var text = Encoding.UTF8.GetString(received.ToArray());
        var status = text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && text.Length >= 12 && int.TryParse(text.AsSpan(9, 3), out var s) ? s : 0;
        return new Answer(status, text, closed);
    }

    /// <summary>Sends a request written with <c>\r\n</c> line ends as given.</summary>
    public static Task<Answer> SendAsync(Uri server, string request, TimeSpan wait, bool closeSending = false) =>
        SendAsync(server, Encoding.UTF8.GetBytes(request), wait, closeSending);
}

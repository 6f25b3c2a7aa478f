using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.LiveCore;

/// <summary>Clients that join and then stop reading, one per transport.</summary>
internal static class StuckClients
{
    /// <summary>A long-poll client that joins <paramref name="topic"/>, reads its reply, and never polls again. Returns its token.</summary>
    public static async Task<string> LongPollAsync(HttpClient http, string topic)
    {
        var connect = await http.GetJsonAsync("/socket/longpoll?vsn=2.0.0");
        var token = connect.Body.Str("token");
        using var join = new StringContent($"[\"1\",\"1\",\"{topic}\",\"phx_join\",{{}}]", Encoding.UTF8, "application/x-ndjson");
        var posted = await http.PostAsync($"/socket/longpoll?vsn=2.0.0&token={token}", join);
        posted.EnsureSuccessStatusCode();
        var poll = await http.GetJsonAsync($"/socket/longpoll?vsn=2.0.0&token={token}");
        poll.Body.Long("status").ShouldBe(200);
        poll.Body.GetProperty("messages").EnumerateArray().ShouldContain(m => m.GetString()!.Contains("\"phx_reply\"", StringComparison.Ordinal));
        return token;
    }

    /// <summary>The status of the next poll with <paramref name="token"/>: 410 once the session was ended.</summary>
    public static async Task<long> PollStatusAsync(HttpClient http, string token) =>
        (await http.GetJsonAsync($"/socket/longpoll?vsn=2.0.0&token={token}")).Body.Long("status");

    /// <summary>
    /// An SSE client on a bare socket with a tiny receive buffer that reads until its <c>joined</c> record and then stops
    /// reading. The caller keeps the socket open as long as the client should stay stuck.
    /// </summary>
    public static async Task<Socket> SseAsync(Uri server, string topics)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(server.Host, server.Port).WaitAsync(TestTimeouts.Default);
        var request = $"GET /api/stream?topics={topics} HTTP/1.1\r\nHost: {server.Authority}\r\nAccept: text/event-stream\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        var seen = new StringBuilder();
        var buffer = new byte[1024];
        while (!seen.ToString().Contains("event: joined", StringComparison.Ordinal))
        {
            var n = await socket.ReceiveAsync(buffer).WaitAsync(TestTimeouts.Default);
            n.ShouldBeGreaterThan(0, "the stream ended before it joined");
            seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        return socket;
    }

    /// <summary>Reads whatever a stuck SSE socket still holds until the server closes it; true when it did.</summary>
    public static async Task<bool> SseEndedAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TestTimeouts.Long);
        try
        {
            while (await socket.ReceiveAsync(buffer, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true; // reset: ended too
        }
    }

    /// <summary>~8 KB of metadata, so each event carries it and a stuck client's socket buffers fill quickly.</summary>
    public static object Bulky(int n) => new { blob = new string('m', 8000), n };

    /// <summary>The seq of an event frame's envelope, or null for anything else.</summary>
    public static long? Seq(JsonElement envelope) =>
        envelope.ValueKind == JsonValueKind.Object && envelope.TryGetProperty("seq", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : null;
}

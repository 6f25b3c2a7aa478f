using System.Text;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>Phoenix's long-poll transport against the document: every transport status the test can provoke, on GET and on POST.</summary>
public sealed partial class OpenApiConformanceTests
{
    private const string Heartbeat = """[null,"{0}","phoenix","heartbeat",{{}}]""";

    [Fact]
    public async Task LongPollTrafficMatchesTheDocument()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Sockets.LongPollWindow = TimeSpan.FromSeconds(1);
            o.Sockets.MaxConnections = 2;
            o.Sockets.MaxFrameBytes = 1024;
            o.Sockets.MessageBurst = 3;
            o.Sockets.MaxMessagesPerSecond = 0.01;
        });
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Default };

        // Connect, join, read the reply, then a window with nothing in it.
        var key = (await Poll(http, "?vsn=2.0.0")).GetProperty("token").GetString()!;
        await Frames(http, key, "application/x-ndjson", """["1","1","summary","phx_join",{}]""", 200);
        var withHeader = new HttpRequestMessage(HttpMethod.Get, "/socket/longpoll?vsn=2.0.0");
        withHeader.Headers.Add("X-Phoenix-Longpoll-Token", key);
        (await Send(withHeader, 200, http: http)).Response!.Value.GetProperty("messages").GetArrayLength().ShouldBeGreaterThan(0);
        for (var i = 0; i < 5 && (await Poll(http, $"?vsn=2.0.0&token={Uri.EscapeDataString(key)}")).GetProperty("status").GetInt32() != 204; i++)
        {
        }

        // Refusals: a serializer nobody speaks, a full server, an unknown key, a batch that is no frames, one too large.
        await Poll(http, "?vsn=3.0.0");
        var connect = new HttpRequestMessage(HttpMethod.Get, "/socket/longpoll?vsn=1.0.0");
        connect.Headers.Add("X-Phoenix-AuthToken", "ignored-while-auth-is-off");
        await Send(connect, 200, http: http);
        await Poll(http, "?vsn=2.0.0");
        await Frames(http, "no-such-key", "application/x-ndjson", string.Format(null, Heartbeat, 1), 200);
        await Frames(http, key, "application/x-ndjson", "not a frame", 200);
        await Frames(http, key, "application/x-ndjson", new string(' ', 1024 * 100 + 1), 200);
        await Frames(http, key, "application/json", string.Format(null, Heartbeat, 2), 200);

        // Over the message rate while a poll waits: the POST gets 429 and the waiting poll, its connection gone, 410.
        var waiting = Poll(http, $"?vsn=2.0.0&token={Uri.EscapeDataString(key)}");
        await Task.Delay(300);
        await Frames(http, key, "application/x-ndjson", string.Join('\n', Enumerable.Range(3, 4).Select(i => string.Format(null, Heartbeat, i))), 200);
        await waiting.WaitAsync(TestTimeouts.Default);

        await Send(new HttpRequestMessage(HttpMethod.Options, "/socket/longpoll"), 200, http: http);

        CheckExchanges();
        int[] Statuses(HttpMethod method) =>
            [.. _exchanges.Where(e => e.Method == method && e.Response is not null).Select(e => e.Response!.Value.GetProperty("status").GetInt32()).Distinct().Order()];
        Statuses(HttpMethod.Get).ShouldBe([200, 204, 403, 410, 500]);
        Statuses(HttpMethod.Post).ShouldBe([200, 400, 410, 413, 429]);
    }

    private async Task<System.Text.Json.JsonElement> Poll(HttpClient http, string query) =>
        (await Send(new HttpRequestMessage(HttpMethod.Get, "/socket/longpoll" + query), 200, http: http)).Response!.Value;

    private Task<Exchange> Frames(HttpClient http, string key, string contentType, string body, int expectedStatus) =>
        Send(new HttpRequestMessage(HttpMethod.Post, $"/socket/longpoll?vsn=2.0.0&token={Uri.EscapeDataString(key)}")
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        }, expectedStatus, http: http);
}

using System.Text;
using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Transports.LongPoll;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

public sealed class LongPollTests
{
    private static async Task<JsonElement> Lp(HttpClient http, HttpMethod method, string token = "", string? body = null)
    {
        using var request = new HttpRequestMessage(method, "/socket/longpoll?vsn=2.0.0" + (token.Length > 0 ? "&token=" + Uri.EscapeDataString(token) : ""));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/x-ndjson");
        }

        var response = await http.SendAsync(request);
        ((int)response.StatusCode).ShouldBe(200);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task APostAnswersOnlyOnceItsJoinIsAnsweredSoAWriteAfterItReachesTheChannel()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("r");
        for (var i = 0; i < 20; i++)
        {
            await server.Http.CreateAsync($"c{i}", new { parent_id = "r" });
        }

        var token = (await Lp(server.Http, HttpMethod.Get)).Str("token");
        var session = server.Get<LongPollRegistry>().Find(token).ShouldNotBeNull();
        // A subtree join reads its first page from the store, on the join's own flow rather than the POST's.
        (await Lp(server.Http, HttpMethod.Post, token, """["1","1","session:r","phx_join",{"subtree":true}]""")).Long("status").ShouldBe(200);
        session.Queue.Count.ShouldBeGreaterThan(0, "the join's reply is queued by the time its POST is answered");

        await server.Http.CreateAsync("late", new { parent_id = "r" });
        var frames = new List<PhoenixFrame>();
        await TestTimeouts.Eventually(async () =>
        {
            frames.AddRange((await Lp(server.Http, HttpMethod.Get, token)).GetProperty("messages").EnumerateArray()
                .Select(m => PhoenixFrame.Parse(m.GetString()!)));
            return frames.Any(f => f.Seq is not null);
        }, "the write made after the POST, live");
        frames.First(f => f.Event == "phx_reply").Response.GetProperty("descendants").GetArrayLength().ShouldBe(20);
        frames.Single(f => f.Seq is not null).Payload.Str("session_id").ShouldBe("late");
    }

    [Fact]
    public async Task MessagesAreV2FramesAsStrings()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var token = (await Lp(server.Http, HttpMethod.Get)).Str("token");
        (await Lp(server.Http, HttpMethod.Post, token, "[\"1\",\"1\",\"summary\",\"phx_join\",{}]\n[null,\"2\",\"phoenix\",\"heartbeat\",{}]")).Long("status").ShouldBe(200);
        var poll = await Lp(server.Http, HttpMethod.Get, token);
        poll.Long("status").ShouldBe(200);
        var frames = poll.GetProperty("messages").EnumerateArray().Select(m => PhoenixFrame.Parse(m.GetString()!)).ToList();
        frames.Select(f => (f.Ref, f.Event)).ShouldBe([("1", "phx_reply"), (null, "summary"), ("2", "phx_reply")]);
        frames[0].Status.ShouldBe("ok");
    }

    [Fact]
    public async Task IdleSessionsAreReapedAfterOneAndAHalfWindowsAndTheirPresenceLeaves()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(time: time);
        await using var watcher = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        await watcher.JoinAsync("session:w");
        var token = (await Lp(server.Http, HttpMethod.Get)).Str("token");
        await Lp(server.Http, HttpMethod.Post, token, """["1","1","session:w","phx_join",{"viewer":{"name":"lp-viewer"}}]""");
        await watcher.WaitForAsync(f => f.Event == "presence_diff" && f.Payload.GetProperty("joins").TryGetProperty("lp-viewer", out _));

        time.Advance(TimeSpan.FromSeconds(14)); // within 1.5 x 10 s: still alive
        (await watcher.HeartbeatAsync()).Status.ShouldBe("ok");
        (await Lp(server.Http, HttpMethod.Post, token, """[null,"2","phoenix","heartbeat",{}]""")).Long("status").ShouldBe(200);

        time.Advance(TimeSpan.FromSeconds(16)); // nobody polled for more than 15 s
        (await watcher.HeartbeatAsync()).Status.ShouldBe("ok");
        await watcher.WaitForAsync(f => f.Event == "presence_diff" && f.Payload.GetProperty("leaves").TryGetProperty("lp-viewer", out _));
        (await Lp(server.Http, HttpMethod.Post, token, """[null,"3","phoenix","heartbeat",{}]""")).Long("status").ShouldBe(410);
    }

    [Fact]
    public async Task PreflightIsAnsweredForBrowsers()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/socket/longpoll?vsn=2.0.0");
        var response = await server.Http.SendAsync(request);
        ((int)response.StatusCode).ShouldBe(200);
        response.Headers.GetValues("Access-Control-Allow-Origin").Single().ShouldBe("*");
    }

    [Fact]
    public async Task AMalformedBatchIsRefusedAndChangesNothing()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var token = (await Lp(server.Http, HttpMethod.Get)).Str("token");
        (await Lp(server.Http, HttpMethod.Post, token, "[\"1\",\"1\",\"summary\",\"phx_join\",{}]\n{oops")).Long("status").ShouldBe(400);
        (await Lp(server.Http, HttpMethod.Post, token, """[null,"9","phoenix","heartbeat",{}]""")).Long("status").ShouldBe(200);
        var frames = (await Lp(server.Http, HttpMethod.Get, token)).GetProperty("messages").EnumerateArray().Select(m => PhoenixFrame.Parse(m.GetString()!)).ToList();
        frames.ShouldHaveSingleItem().Ref.ShouldBe("9"); // the join in the refused batch never ran
    }

    [Theory]
    [InlineData(new byte[] { 0x5B, 0x6E, 0x75, 0x6C, 0x6C, 0x2C, 0x22, 0xC3, 0x28, 0x22, 0x5D })] // [null,"<invalid UTF-8>"]
    [InlineData(new byte[] { 0x22, 0xED, 0xA0, 0x80, 0x22 })] // an encoded surrogate, which UTF-8 forbids
    public async Task ABatchThatIsNotUtf8Is400AndChangesNothing(byte[] line)
    {
        await using var server = await SwitchboardServer.StartAsync();
        var token = (await Lp(server.Http, HttpMethod.Get)).Str("token");
        var body = Encoding.UTF8.GetBytes("[\"1\",\"1\",\"summary\",\"phx_join\",{}]\n").Concat(line).ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/socket/longpoll?vsn=2.0.0&token=" + Uri.EscapeDataString(token))
        {
            Content = new ByteArrayContent(body),
        };
        var answer = JsonDocument.Parse(await (await server.Http.SendAsync(request)).Content.ReadAsStringAsync()).RootElement;
        answer.Long("status").ShouldBe(400);
        (await Lp(server.Http, HttpMethod.Post, token, """[null,"9","phoenix","heartbeat",{}]""")).Long("status").ShouldBe(200);
        var frames = (await Lp(server.Http, HttpMethod.Get, token)).GetProperty("messages").EnumerateArray().Select(m => PhoenixFrame.Parse(m.GetString()!)).ToList();
        frames.ShouldHaveSingleItem().Ref.ShouldBe("9", "the join in the refused batch never ran");
    }

    [Fact]
    public async Task ALoneSurrogateInALineIs400()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var token = (await Lp(server.Http, HttpMethod.Get)).Str("token");
        (await Lp(server.Http, HttpMethod.Post, token, """[null,"1","\ud800","phx_join",{}]""")).Long("status").ShouldBe(400);
        (await Lp(server.Http, HttpMethod.Post, token, """[null,"2","phoenix","heartbeat",{}]""")).Long("status").ShouldBe(200, "the session goes on");
    }
}

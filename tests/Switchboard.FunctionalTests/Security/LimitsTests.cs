using System.Text;
using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>Every limit is configurable and gives its documented answer: 503 (long-poll 500), 1008, 429, 1009, 413, the channel cap, the idle timeout.</summary>
public sealed class LimitsTests
{
    [Fact]
    public async Task ConnectionsBeyondTheMaximumGet503BeforeTheUpgradeOnEveryTransport()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Sockets.MaxConnections = 2);
        await using var first = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        await using var second = await PhoenixClient.ConnectAsync(server.WebSocketUri);

        var (status, head, _) = await RawWebSocket.HandshakeAsync(server.BaseAddress);
        status.ShouldBe(503);
        head.ShouldContain("Retry-After: 5");
        (await server.Http.GetJsonAsync("/api/stream?topics=summary")).ShouldBeProblem(503);
        var longPoll = JsonDocument.Parse(await server.Http.GetStringAsync("/socket/longpoll?vsn=2.0.0")).RootElement;
        longPoll.Long("status").ShouldBe(500, "the refusal phoenix.js closes and retries on");

        await first.CloseAsync();
        await TestTimeouts.Eventually(async () => (await RawWebSocket.HandshakeAsync(server.BaseAddress)).Status == 101, "a slot frees up");
    }

    [Fact]
    public async Task AConnectionOverItsMessageRateIsClosedWith1008()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Sockets.MessageBurst = 5;
            o.Sockets.MaxMessagesPerSecond = 1;
        }, time);
        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        for (var i = 0; i < 5; i++)
        {
            (await client.HeartbeatAsync()).Status.ShouldBe("ok");
        }

        time.Advance(TimeSpan.FromSeconds(2)); // two more messages' worth
        (await client.HeartbeatAsync()).Status.ShouldBe("ok");
        (await client.HeartbeatAsync()).Status.ShouldBe("ok");
        await client.SendAsync(null, "over", "phoenix", "heartbeat");
        var (status, description) = await client.Closed.Within();
        ((int?)status).ShouldBe(1008);
        description.ShouldBe("more than 1 messages per second");

        await using var other = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await other.HeartbeatAsync()).Status.ShouldBe("ok", "the limit is per connection");
    }

    [Fact]
    public async Task ALongPollBatchOverTheMessageRateGets429AndEndsTheSession()
    {
        // Hardly any refill, so however slowly a loaded machine runs the test, the fourth message is over the rate.
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Sockets.MessageBurst = 3;
            o.Sockets.MaxMessagesPerSecond = 0.01;
        });
        var token = JsonDocument.Parse(await server.Http.GetStringAsync("/socket/longpoll?vsn=2.0.0")).RootElement.Str("token");
        var lines = string.Join('\n', Enumerable.Range(1, 4).Select(i => $"[null,\"{i}\",\"phoenix\",\"heartbeat\",{{}}]"));
        using var post = new HttpRequestMessage(HttpMethod.Post, "/socket/longpoll?vsn=2.0.0&token=" + token)
        {
            Content = new StringContent(lines, Encoding.UTF8, "application/x-ndjson"),
        };
        var answer = JsonDocument.Parse(await (await server.Http.SendAsync(post)).Content.ReadAsStringAsync()).RootElement;
        answer.Long("status").ShouldBe(429);
        var poll = JsonDocument.Parse(await server.Http.GetStringAsync("/socket/longpoll?vsn=2.0.0&token=" + token)).RootElement;
        poll.Long("status").ShouldBe(410, "the session was ended; the client reconnects and rejoins");
    }

    [Fact]
    public async Task WritesOverTheRateGet429WithRetryAfterPerKey()
    {
        const string otherKey = "second-write-key-0123456789";
        await using var secured = await Secured.StartAsync(o =>
        {
            o.Security.AddApiKeys(otherKey);
            o.Http.WriteRateLimit = 3;
            o.Http.WriteRateWindow = TimeSpan.FromMinutes(1);
        });
        for (var i = 0; i < 3; i++)
        {
            await secured.Writer.CreateAsync($"burst-{i}");
        }

        var limited = await secured.Writer.PostAsync("/api/sessions", new { id = "one-too-many" });
        limited.ShouldBeProblem(429);
        limited.Body.Str("code").ShouldBe("rate_limited");
        limited.Response.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeInRange(1, 60);
        (await secured.Reader.GetJsonAsync("/api/sessions/one-too-many")).Status.ShouldBe(404, "the refused write changed nothing");
        (await secured.Writer.GetJsonAsync("/api/summary")).Status.ShouldBe(200, "reads are not counted");

        using var other = secured.Server.HttpWithKey(otherKey);
        (await other.PostAsync("/api/sessions", new { id = "other-key" })).Status.ShouldBe(201, "each key has its own budget");
    }

    [Fact]
    public async Task WithoutKeysTheWriteRateIsPerRemoteAddress()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Http.WriteRateLimit = 2;
            o.Http.WriteRateWindow = TimeSpan.FromMinutes(1);
        });
        await server.Http.CreateAsync("a");
        await server.Http.CreateAsync("b");
        (await server.Http.PostAsync("/api/sessions", new { id = "c" })).ShouldBeProblem(429);
        (await server.Http.PostAsync("/api/batch", new { operations = new[] { new { op = "create", id = "d" } } })).ShouldBeProblem(429);
    }

    [Fact]
    public async Task FrameChannelBodyAndIdleLimitsFollowTheirSettings()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Sockets.MaxFrameBytes = 1024;
            o.Sockets.MaxChannelsPerConnection = 2;
            o.Sockets.HeartbeatTimeout = TimeSpan.FromSeconds(6);
            o.Http.MaxBodyBytes = 1000;
        }, time);

        await using (var raw = await RawWebSocket.ConnectAsync(server.BaseAddress))
        {
            await raw.SendTextAsync("[null,\"1\",\"phoenix\",\"heartbeat\",{\"pad\":\"" + new string('x', 1100) + "\"}]");
            (await raw.ReadUntilCloseAsync()).Code.ShouldBe((ushort)1009);
        }

        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await client.JoinAsync("session:a")).Status.ShouldBe("ok");
        (await client.JoinAsync("session:b")).Status.ShouldBe("ok");
        (await client.JoinAsync("session:c")).Response.GetProperty("reason").GetString().ShouldBe("too many channels joined");

        (await server.Http.PostAsync("/api/sessions", new { id = "big", name = new string('n', 1200) })).ShouldBeProblem(413);

        time.Advance(TimeSpan.FromSeconds(7));
        var (status, description) = await client.Closed.Within();
        ((int?)status).ShouldBe(1001);
        description.ShouldBe("heartbeat timeout");
    }
}

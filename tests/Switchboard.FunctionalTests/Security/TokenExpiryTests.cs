using System.Text;
using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>Tokens expire mid-stream on the injected clock: WebSocket closes with 1008, long-poll answers 403, SSE ends; a refresh extends.</summary>
public sealed class TokenExpiryTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private Secured _secured = null!;

    public async ValueTask InitializeAsync() => _secured = await Secured.StartAsync(time: _time);

    public async ValueTask DisposeAsync() => await _secured.DisposeAsync();

    /// <summary>Moves the clock in steps, heartbeating so the idle timeout never fires.</summary>
    private async Task PassAsync(PhoenixClient client, int seconds)
    {
        for (var left = seconds; left > 0; left -= 10)
        {
            (await client.HeartbeatAsync()).Status.ShouldBe("ok");
            _time.Advance(TimeSpan.FromSeconds(Math.Min(10, left)));
        }
    }

    [Fact]
    public async Task AnExpiredTokenClosesTheWebSocketWith1008AndCannotReconnect()
    {
        var token = await _secured.MintAsync(["sessions"], ttlSeconds: 30);
        await using var client = await PhoenixClient.ConnectAsync(_secured.SocketUri(token));
        (await client.JoinAsync("sessions")).Status.ShouldBe("ok");
        await PassAsync(client, 29);
        (await client.HeartbeatAsync()).Status.ShouldBe("ok");

        _time.Advance(TimeSpan.FromSeconds(2));
        var (status, description) = await client.Closed.Within();
        ((int?)status).ShouldBe(1008);
        description.ShouldBe("token expired");

        await _secured.Writer.CreateAsync("after-expiry");
        var (refused, _, _) = await RawWebSocket.HandshakeAsync(_secured.Server.BaseAddress, "/socket/websocket?vsn=2.0.0&token=" + token);
        refused.ShouldBe(403);
    }

    [Fact]
    public async Task ARefreshedTokenKeepsTheSocketOpenUntilItsOwnExpiry()
    {
        var token = await _secured.MintAsync(["sessions", "summary"], ttlSeconds: 30);
        await using var client = await PhoenixClient.ConnectAsync(_secured.SocketUri(token));
        (await client.JoinAsync("sessions")).Status.ShouldBe("ok");
        (await client.JoinAsync("summary")).Status.ShouldBe("ok");
        await PassAsync(client, 20);

        // The fresh token drops 'summary': that channel is closed, 'sessions' stays.
        var fresh = await _secured.MintAsync(["sessions"], ttlSeconds: 60);
        var r = client.NextRef();
        await client.SendAsync(null, r, "phoenix", "access_token", new { token = fresh });
        var reply = await client.WaitForAsync(f => f.Ref == r);
        reply.Status.ShouldBe("ok");
        reply.Response.Str("expires_at").ShouldBe(_time.GetUtcNow().AddSeconds(60).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
        await client.WaitForAsync(f => f.Topic == "summary" && f.Event == "phx_close");

        await PassAsync(client, 50); // past the first token's expiry
        await _secured.Writer.CreateAsync("still-live");
        (await client.WaitForAsync(f => f.Event == "session_created")).Topic.ShouldBe("sessions");

        _time.Advance(TimeSpan.FromSeconds(11));
        ((int?)(await client.Closed.Within()).Status).ShouldBe(1008);
    }

    [Fact]
    public async Task ARefreshThatChangesTheLabelsScopeOrIsInvalidIsRefused()
    {
        var token = await _secured.MintAsync(["sessions"], new { team = "core" }, ttlSeconds: 30);
        await using var client = await PhoenixClient.ConnectAsync(_secured.SocketUri(token));
        foreach (var candidate in new[] { await _secured.MintAsync(["sessions"], ttlSeconds: 600), "not-a-token" })
        {
            var r = client.NextRef();
            await client.SendAsync(null, r, "phoenix", "access_token", new { token = candidate });
            var reply = await client.WaitForAsync(f => f.Ref == r);
            reply.Status.ShouldBe("error");
            reply.Response.GetProperty("reason").GetString().ShouldBe("unauthorized");
        }

        await PassAsync(client, 30);
        _time.Advance(TimeSpan.FromSeconds(1));
        ((int?)(await client.Closed.Within()).Status).ShouldBe(1008, "the refused refreshes did not extend the connection");
    }

    private async Task<JsonElement> LongPollAsync(HttpMethod method, string query, string? body = null)
    {
        using var request = new HttpRequestMessage(method, "/socket/longpoll?" + query);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/x-ndjson");
        }

        var response = await _secured.Server.Http.SendAsync(request);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task AnExpiredTokenEndsALongPollSessionWith403()
    {
        // Shorter than the 15 s after which an unpolled long-poll session is reaped anyway.
        var token = await _secured.MintAsync(["summary"], ttlSeconds: 10);
        var session = (await LongPollAsync(HttpMethod.Get, $"token={token}&vsn=2.0.0&")).Str("token");
        var query = $"token={token}&vsn=2.0.0&token={session}";
        (await LongPollAsync(HttpMethod.Post, query, "[\"1\",\"1\",\"summary\",\"phx_join\",{}]")).Long("status").ShouldBe(200);
        (await LongPollAsync(HttpMethod.Get, query)).Long("status").ShouldBe(200);

        var pending = LongPollAsync(HttpMethod.Get, query);
        await Task.Delay(100);
        _time.Advance(TimeSpan.FromSeconds(11));
        (await pending.Within()).Long("status").ShouldBe(403);
        (await LongPollAsync(HttpMethod.Get, query)).Long("status").ShouldBe(403, "the session is gone and its token has expired");
    }

    [Fact]
    public async Task AnExpiredTokenEndsAnSseStream()
    {
        var token = await _secured.MintAsync(["sessions"], ttlSeconds: 30);
        await using var sse = await SseReader.OpenAsync(_secured.Server.Http, "/api/stream?topics=sessions&token=" + token);
        await sse.NextEventAsync(e => e.Event == "joined");
        _time.Advance(TimeSpan.FromSeconds(31));
        await _secured.Writer.CreateAsync("after-sse-expiry");
        await sse.Ended.Within(); // the server ended the stream
        var records = await sse.DrainAsync(TimeSpan.FromMilliseconds(100));
        records.ShouldNotContain(r => r.Data != null && r.Data.Contains("after-sse-expiry"));
    }
}

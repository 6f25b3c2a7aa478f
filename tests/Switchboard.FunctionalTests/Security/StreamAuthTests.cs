using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// Subscriber tokens at connect: the token param, the phoenix authToken subprotocol, the long-poll header, SSE's token and
/// Bearer; refusals before the upgrade; and a join outside the token's topics refused with no event leaked.
/// </summary>
public sealed class StreamAuthTests : IAsyncLifetime
{
    private Secured _secured = null!;

    public async ValueTask InitializeAsync() => _secured = await Secured.StartAsync();

    public async ValueTask DisposeAsync() => await _secured.DisposeAsync();

    private SwitchboardServer Server => _secured.Server;

    private static string Protocol(string token, bool padded)
    {
        var b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(token));
        return "phoenix, base64url.bearer.phx." + (padded ? b64 : b64.TrimEnd('='));
    }

    [Fact]
    public async Task AWebSocketWithoutCredentialsIsRefusedWith403BeforeTheUpgrade()
    {
        var (status, head, socket) = await RawWebSocket.HandshakeAsync(Server.BaseAddress);
        status.ShouldBe(403);
        socket.ShouldBeNull();
        head.ShouldContain("application/problem+json");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJ0b3BpY3MiOlsic2Vzc2lvbnMiXSwiZXhwIjo5OTk5OTk5OTk5fQ.")]
    [InlineData("write-key-0123456789abcdef")]
    public async Task AWebSocketWithABadTokenIsRefused(string token)
    {
        // The last case is a real API key: keys are only taken from the Authorization header, never from a URL.
        var (status, _, _) = await RawWebSocket.HandshakeAsync(Server.BaseAddress, "/socket/websocket?vsn=2.0.0&token=" + Uri.EscapeDataString(token));
        status.ShouldBe(403);
    }

    [Fact]
    public async Task ATokenSignedWithAnotherSecretIsRefused()
    {
        await using var other = await Secured.StartAsync();
        var foreign = await other.MintAsync(["sessions"]);
        var (status, _, _) = await RawWebSocket.HandshakeAsync(Server.BaseAddress, "/socket/websocket?vsn=2.0.0&token=" + foreign);
        status.ShouldBe(403);
    }

    [Fact]
    public async Task TheTokenParamLetsTheSocketJoinItsTopicsOnly()
    {
        var token = await _secured.MintAsync(["session:agent-*"]);
        await using var client = await PhoenixClient.ConnectAsync(_secured.SocketUri(token));
        (await client.JoinAsync("session:agent-1")).Status.ShouldBe("ok");

        var refused = await client.JoinAsync("sessions");
        refused.Status.ShouldBe("error");
        refused.Response.GetProperty("reason").GetString().ShouldBe("unauthorized");
        refused.Response.GetProperty("detail").GetString()!.ShouldContain("does not cover topic 'sessions'");
        var other = await client.JoinAsync("session:bot-1");
        other.Response.GetProperty("reason").GetString().ShouldBe("unauthorized");

        await _secured.Writer.CreateAsync("bot-1");
        await _secured.Writer.CreateAsync("agent-1");
        var created = await client.WaitForAsync(f => f.Event == "session_created");
        created.Topic.ShouldBe("session:agent-1");
        var frames = await client.DrainAsync(TimeSpan.FromMilliseconds(300));
        frames.ShouldNotContain(f => f.Topic == "sessions" || f.Topic == "session:bot-1", "nothing arrives on refused topics");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheAuthTokenSubprotocolIsAcceptedAndPhoenixIsSelected(bool padded)
    {
        // Mint until the base64 form needs padding, so the unpadded form phoenix.js sends really differs.
        var token = "";
        for (var ttl = 3600; token.Length == 0 || Encoding.UTF8.GetByteCount(token) % 3 == 0; ttl++)
        {
            token = await _secured.MintAsync(["summary", "sessions"], ttlSeconds: ttl);
        }

        var (status, head, socket) = await RawWebSocket.HandshakeAsync(Server.BaseAddress, headers: new Dictionary<string, string>
        {
            ["Sec-WebSocket-Protocol"] = Protocol(token, padded),
        });
        status.ShouldBe(101, head);
        head.ShouldContain("Sec-WebSocket-Protocol: phoenix\r\n");
        await using var ws = socket!;
        await ws.SendTextAsync("""["1","1","summary","phx_join",{}]""");
        (await ws.ReadTextAsync()).ShouldContain("\"status\":\"ok\"");
    }

    [Theory]
    [InlineData("YT4/fg", "a>?~")]
    [InlineData("YT4_fg", "a>?~")]
    [InlineData("YT4_fg==", "a>?~")]
    [InlineData("YT4-Pw", "a>>?")]
    public void TheSubprotocolTokenDecodesEitherBase64Alphabet(string encoded, string expected)
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Headers.SecWebSocketProtocol = "phoenix, base64url.bearer.phx." + encoded;
        Switchboard.Server.Security.StreamAuthenticator.ProtocolToken(context.Request).ShouldBe(expected);
    }

    [Fact]
    public async Task AnApiKeyInTheAuthorizationHeaderOpensAnUnrestrictedSocket()
    {
        await using var client = await PhoenixClient.ConnectAsync(Server.WebSocketUri, o => o.SetRequestHeader("Authorization", "Bearer " + Secured.ReadKey));
        (await client.JoinAsync("sessions")).Status.ShouldBe("ok");
        (await client.JoinAsync("summary")).Status.ShouldBe("ok");
        (await client.JoinAsync("session:anything")).Status.ShouldBe("ok");
    }

    private static async Task<JsonElement> LongPollAsync(HttpClient http, string query, Action<HttpRequestMessage>? prepare = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/socket/longpoll?" + query);
        prepare?.Invoke(request);
        var response = await http.SendAsync(request);
        ((int)response.StatusCode).ShouldBe(200);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task LongPollConnectsWithTheAuthTokenHeaderOrTheTokenParamAndIsRefusedWithout()
    {
        var token = await _secured.MintAsync(["summary"]);
        (await LongPollAsync(Server.Http, "vsn=2.0.0")).Long("status").ShouldBe(403);
        (await LongPollAsync(Server.Http, "token=nonsense&vsn=2.0.0")).Long("status").ShouldBe(403);

        var viaHeader = await LongPollAsync(Server.Http, "vsn=2.0.0", r => r.Headers.Add("X-Phoenix-AuthToken", token));
        viaHeader.Long("status").ShouldBe(410);
        viaHeader.Str("token").ShouldNotBe(token);

        // phoenix.js puts user params first and its session token last: token=<jwt>&vsn=2.0.0&token=<session>.
        var viaParam = await LongPollAsync(Server.Http, "token=" + token + "&vsn=2.0.0&");
        viaParam.Long("status").ShouldBe(410);
        var session = viaParam.Str("token");
        using var post = new HttpRequestMessage(HttpMethod.Post, $"/socket/longpoll?token={token}&vsn=2.0.0&token={session}")
        {
            Content = new StringContent("[\"1\",\"1\",\"summary\",\"phx_join\",{}]\n[\"2\",\"2\",\"sessions\",\"phx_join\",{}]", Encoding.UTF8, "application/x-ndjson"),
        };
        (await Server.Http.SendAsync(post)).IsSuccessStatusCode.ShouldBeTrue();
        var poll = await LongPollAsync(Server.Http, $"token={token}&vsn=2.0.0&token={session}");
        var replies = poll.GetProperty("messages").EnumerateArray().Select(m => PhoenixFrame.Parse(m.GetString()!)).Where(f => f.Event == "phx_reply").ToList();
        replies.Single(f => f.Topic == "summary").Status.ShouldBe("ok");
        replies.Single(f => f.Topic == "sessions").Response.GetProperty("reason").GetString().ShouldBe("unauthorized");
    }

    [Fact]
    public async Task SseTakesATokenParamOrABearerAndRefusesWithout()
    {
        var token = await _secured.MintAsync(["summary"]);
        (await Server.Http.GetJsonAsync("/api/stream?topics=summary")).ShouldBeProblem(401);
        (await Server.Http.GetJsonAsync("/api/stream?topics=summary&token=bad")).ShouldBeProblem(401);
        var outside = await Server.Http.GetJsonAsync("/api/stream?topics=sessions&token=" + token);
        outside.ShouldBeProblem(403, "topics");

        foreach (var (query, bearer) in new[] { ($"token={token}", (string?)null), ("", token), ("", Secured.ReadKey) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/stream?topics=summary&{query}");
            if (bearer is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }

            using var response = await Server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            ((int)response.StatusCode).ShouldBe(200);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            string? line;
            do
            {
                line = await reader.ReadLineAsync().Within();
            }
            while (line is not null && line != "event: joined");
            line.ShouldBe("event: joined");
        }
    }
}

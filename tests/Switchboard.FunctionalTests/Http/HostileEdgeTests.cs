using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>
/// The edges the hostile suite still found (issue 30): metadata counted in compact UTF-8 bytes, refs that are no text,
/// an empty <c>vsn</c>, and long-poll answering as Phoenix does (preflight, other methods, big batches, heartbeats).
/// </summary>
public sealed class HostileEdgeTests : IAsyncLifetime
{
    private SwitchboardServer _server = null!;
    private HttpClient Http => _server.Http;

    public async ValueTask InitializeAsync() => _server = await SwitchboardServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        _server.Logs.Entries.Where(e => e.Level > LogLevel.Information).ShouldBeEmpty(_server.Logs.Dump());
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task MetadataOfEmojiIsCountedAsItsUtf8BytesNotItsEscapes()
    {
        var atLimit = string.Concat(Enumerable.Repeat("\U0001F600", 4094)); // 16,376 bytes, plus {"k":""} = 16,384
        var created = await Http.PostAsync("/api/sessions", JsonSerializer.Serialize(new { id = "emoji", metadata = new { k = atLimit } }));
        created.Status.ShouldBe(201, created.Body.ToString());
        (await Http.GetJsonAsync("/api/sessions/emoji")).Body.GetProperty("metadata").GetProperty("k").GetString().ShouldBe(atLimit);

        var over = await Http.PostAsync("/api/sessions", JsonSerializer.Serialize(new { id = "emoji2", metadata = new { k = atLimit + "\U0001F600" } }));
        over.ShouldBeProblem(400, "metadata");
        over.Body.Str("detail").ShouldContain("16388 bytes");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task ARefHoldingALoneSurrogateClosesTheWebSocketWith1007(int slot)
    {
        await using var raw = await RawWebSocket.ConnectAsync(_server.BaseAddress, "/socket/websocket?vsn=2.0.0");
        var parts = new[] { "null", "\"1\"" };
        parts[slot] = "\"r\\ud800\"";
        await raw.SendFrameAsync(0x1, Encoding.UTF8.GetBytes($"[{parts[0]},{parts[1]},\"phoenix\",\"heartbeat\",{{}}]"), fin: true);
        var (code, _) = await raw.ReadUntilCloseAsync();
        code.ShouldBe((ushort)1007, "a ref is echoed, so one that is no text is refused like a topic");
    }

    [Fact]
    public async Task ALongPollRefHoldingALoneSurrogateIsRefusedWith400AndNothingIsHandled()
    {
        var key = await ConnectAsync();
        var post = await PostLinesAsync(key, "[null,\"1\",\"phoenix\",\"heartbeat\",{}]", "[null,\"2\\udc00\",\"phoenix\",\"heartbeat\",{}]");
        post.Long("status").ShouldBe(400);
        (await PostLinesAsync(key, "[null,\"3\",\"phoenix\",\"heartbeat\",{}]")).Long("status").ShouldBe(200);
        var replies = (await PollAsync(key)).GetProperty("messages").EnumerateArray().Select(m => JsonDocument.Parse(m.GetString()!).RootElement[1].GetString());
        replies.ShouldBe(["3"], "the batch was refused whole: not even its first heartbeat was answered");
    }

    [Theory]
    [InlineData("GET /api/sessions/a%00b")]
    [InlineData("POST /api/sessions%00")]
    [InlineData("GET /socket/websocket%00?vsn=2.0.0")]
    [InlineData("GET /%00")]
    public async Task ANulInThePathGetsAProblemNotKestrelsBare400(string requestLine)
    {
        var answer = await RawHttp.SendAsync(_server.BaseAddress,
            $"{requestLine} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}", TestTimeouts.Default);
        answer.Status.ShouldBe(400);
        answer.Text.ShouldContain("Content-Type: application/problem+json");
        using var problem = JsonDocument.Parse(answer.Body);
        problem.RootElement.Str("detail").ShouldContain("%00");
        answer.Closed.ShouldBeTrue();
        (await Http.GetJsonAsync("/api/sessions/count")).Body.Long("total_sessions").ShouldBe(0);
    }

    [Theory]
    [InlineData("/socket/longpoll?vsn=")]
    [InlineData("/socket/longpoll?vsn=2.0.0&vsn=")]
    public async Task AnEmptyVsnIsRefusedOnLongPoll(string path) =>
        (await Http.GetJsonAsync(path)).Body.Long("status").ShouldBe(403);

    [Fact]
    public async Task AnEmptyVsnIsRefusedOnTheWebSocket()
    {
        using var ws = new ClientWebSocket();
        var uri = new UriBuilder(_server.BaseAddress) { Scheme = "ws", Path = "/socket/websocket", Query = "vsn=" }.Uri;
        var refused = await Should.ThrowAsync<WebSocketException>(() => ws.ConnectAsync(uri, CancellationToken.None));
        refused.Message.ShouldContain("403");
    }

    [Fact]
    public async Task ALongPollPreflightIsAnsweredWithTheAllowedMethods()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/socket/longpoll?vsn=2.0.0");
        request.Headers.TryAddWithoutValidation("Origin", $"http://{_server.BaseAddress.Authority}");
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "POST");
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", "content-type");
        using var response = await Http.SendAsync(request);
        ((int)response.StatusCode).ShouldBe(200);
        response.Headers.GetValues("Access-Control-Allow-Methods").Single().ShouldContain("POST");
        response.Headers.GetValues("Access-Control-Allow-Origin").Single().ShouldBe($"http://{_server.BaseAddress.Authority}");
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task OtherMethodsOnLongPollAre400AsInPhoenix(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/socket/longpoll?vsn=2.0.0") { Content = new StringContent("{}") };
        using var response = await Http.SendAsync(request);
        ((int)response.StatusCode).ShouldBe(400);
    }

    [Fact]
    public async Task ABatchOf101LinesIsHandledWholeNotRefused()
    {
        var key = await ConnectAsync();
        var lines = Enumerable.Range(1, 101).Select(i => $"[null,\"{i}\",\"phoenix\",\"heartbeat\",{{}}]").ToArray();
        (await PostLinesAsync(key, lines)).Long("status").ShouldBe(200);
        var refs = new List<string>();
        while (refs.Count < 101)
        {
            var poll = await PollAsync(key);
            poll.Long("status").ShouldBe(200);
            refs.AddRange(poll.GetProperty("messages").EnumerateArray().Select(m => JsonDocument.Parse(m.GetString()!).RootElement[1].GetString()!));
        }

        // Phoenix (1.8.10 on) takes the first 100 lines, which is all its client sends in one POST; an older client's
        // larger batch loses nothing here.
        refs.ShouldBe(Enumerable.Range(1, 101).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task AHeartbeatReplyCarriesANullJoinRefWhateverTheClientSent()
    {
        var key = await ConnectAsync();
        (await PostLinesAsync(key, "[\"7\",\"8\",\"phoenix\",\"heartbeat\",{}]")).Long("status").ShouldBe(200);
        var poll = await PollAsync(key);
        var reply = JsonDocument.Parse(poll.GetProperty("messages")[0].GetString()!).RootElement;
        reply[0].ValueKind.ShouldBe(JsonValueKind.Null);
        reply[1].GetString().ShouldBe("8");
        reply[3].GetString().ShouldBe("phx_reply");
    }

    private async Task<string> ConnectAsync()
    {
        var connect = (await Http.GetJsonAsync("/socket/longpoll?vsn=2.0.0")).Body;
        connect.Long("status").ShouldBe(410);
        return connect.Str("token");
    }

    private async Task<JsonElement> PostLinesAsync(string key, params string[] lines)
    {
        using var content = new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");
        using var response = await Http.PostAsync("/socket/longpoll?vsn=2.0.0&token=" + Uri.EscapeDataString(key), content);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<JsonElement> PollAsync(string key) =>
        (await Http.GetJsonAsync("/socket/longpoll?vsn=2.0.0&token=" + Uri.EscapeDataString(key))).Body;
}

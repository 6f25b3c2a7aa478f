using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>Producer API keys: Bearer, scopes, 401/403 problems, and never a key in the log.</summary>
public sealed class ApiKeyTests : IAsyncLifetime
{
    private Secured _secured = null!;

    public async ValueTask InitializeAsync() => _secured = await Secured.StartAsync();

    public async ValueTask DisposeAsync() => await _secured.DisposeAsync();

    private SwitchboardServer Server => _secured.Server;

    [Fact]
    public async Task ARequestWithoutAKeyGets401WithABearerChallenge()
    {
        var r = await Server.Http.GetJsonAsync("/api/sessions");
        r.ShouldBeProblem(401);
        r.Body.Str("code").ShouldBe("unauthorized");
        r.Response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
        r.Body.Str("detail").ShouldContain("Authorization: Bearer");
    }

    [Fact]
    public async Task AnUnknownKeyGets401AndChangesNothing()
    {
        using var wrong = Server.HttpWithKey("not-a-key-of-this-server-at-all");
        var r = await wrong.PostAsync("/api/sessions", new { id = "intruder" });
        r.ShouldBeProblem(401);
        r.Response.Headers.WwwAuthenticate.ToString().ShouldContain("invalid_token");
        (await _secured.Reader.GetJsonAsync("/api/sessions/intruder")).Status.ShouldBe(404);
    }

    [Theory]
    [InlineData("Basic d3JpdGUta2V5LTAxMjM0NTY3ODlhYmNkZWY=")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("write-key-0123456789abcdef")]
    public async Task AKeyNotSentAsABearerIsNotAccepted(string authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/summary");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        var response = await Server.Http.SendAsync(request);
        ((int)response.StatusCode).ShouldBe(401);
    }

    [Fact]
    public async Task AReadKeyReadsButItsWritesGet403()
    {
        (await _secured.Writer.CreateAsync("owned")).Str("id").ShouldBe("owned");
        (await _secured.Reader.GetJsonAsync("/api/sessions/owned")).Status.ShouldBe(200);
        (await _secured.Reader.GetJsonAsync("/api/summary")).Status.ShouldBe(200);
        (await _secured.Reader.GetJsonAsync("/api/events?since=0")).Status.ShouldBe(200);

        var write = await _secured.Reader.PatchAsync("/api/sessions/owned", new { state = "working" });
        write.ShouldBeProblem(403);
        write.Body.Str("code").ShouldBe("insufficient_scope");
        write.Response.Headers.WwwAuthenticate.ToString().ShouldContain("insufficient_scope");
        (await _secured.Reader.PostAsync("/api/fleet/pause")).ShouldBeProblem(403);
        (await _secured.Reader.GetJsonAsync("/api/sessions/owned")).Body.Str("state").ShouldBe("initializing", "the refused write changed nothing");
    }

    [Fact]
    public async Task AReadKeyMintsASubscriberTokenThatStreamsButCannotWrite()
    {
        // A token only opens streams, which a read key may open itself: a read-only dashboard gets a live page this way.
        await _secured.Writer.CreateAsync("watched");
        var (status, json, _) = await _secured.Reader.PostAsync("/api/tokens", """{"topics": ["sessions"]}""");
        status.ShouldBe(200, json.ToString());
        var token = json.Str("token");

        await using var client = await PhoenixClient.ConnectAsync(_secured.SocketUri(token));
        var joined = await client.JoinAsync("sessions");
        joined.Status.ShouldBe("ok");
        joined.Response.ToString().ShouldContain("watched");

        (await _secured.Writer.PatchAsync("/api/sessions/watched", new { state = "working" })).Status.ShouldBe(200);
        var update = await client.WaitForAsync(m => m.Topic == "sessions" && m.Event == "session_updated");
        update.Payload.ToString().ShouldContain("watched");
        update.Payload.ToString().ShouldContain("working");

        // The token is no API key: it writes nothing over HTTP.
        using var withToken = Server.HttpWithKey(token);
        (await withToken.PatchAsync("/api/sessions/watched", new { state = "idle" })).ShouldBeProblem(401);
    }

    [Fact]
    public async Task AWriteKeyMayAlsoRead()
    {
        await _secured.Writer.CreateAsync("both");
        (await _secured.Writer.PatchAsync("/api/sessions/both", new { state = "working" })).Status.ShouldBe(200);
        (await _secured.Writer.GetJsonAsync("/api/sessions/both")).Body.Str("state").ShouldBe("working");
    }

    [Fact]
    public async Task ApiAuthTellsAPageWhetherItNeedsAKeyAndWhatItsKeyMayDo()
    {
        (await Server.Http.GetJsonAsync("/api/auth")).ShouldBeProblem(401);
        var write = (await _secured.Writer.GetJsonAsync("/api/auth")).Body;
        write.GetProperty("enabled").GetBoolean().ShouldBeTrue();
        write.Str("scope").ShouldBe("write");
        (await _secured.Reader.GetJsonAsync("/api/auth")).Body.Str("scope").ShouldBe("read");

        await using var open = await SwitchboardServer.StartAsync();
        var off = (await open.Http.GetJsonAsync("/api/auth")).Body;
        off.GetProperty("enabled").GetBoolean().ShouldBeFalse();
        off.GetProperty("scope").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task HealthDashboardAndOpenApiNeedNoKey()
    {
        (await Server.Http.GetAsync("/healthz")).IsSuccessStatusCode.ShouldBeTrue();
        (await Server.Http.GetAsync("/readyz")).IsSuccessStatusCode.ShouldBeTrue();
        (await Server.Http.GetAsync("/")).IsSuccessStatusCode.ShouldBeTrue("the page itself asks for a key");
        using var openApi = System.Text.Json.JsonDocument.Parse(await Server.Http.GetStringAsync("/openapi/v1.json"));
        openApi.RootElement.GetProperty("paths").TryGetProperty("/api/tokens", out _).ShouldBeTrue();
        var scheme = openApi.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("api_key");
        scheme.Str("type").ShouldBe("http");
        scheme.Str("scheme").ShouldBe("bearer");
        var security = openApi.RootElement.GetProperty("security").EnumerateArray().ToList();
        security.Count.ShouldBe(1, "with keys configured, the key is required");
        security[0].TryGetProperty("api_key", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task KeysNeverReachTheLog()
    {
        using var wrong = Server.HttpWithKey("wrong-key-that-must-not-be-logged");
        await wrong.GetJsonAsync("/api/summary");
        await _secured.Writer.CreateAsync("logged");
        await _secured.Reader.PatchAsync("/api/sessions/logged", new { state = "idle" });
        var logs = Server.Logs.Dump();
        logs.ShouldContain("Auth is on: 1 operator, 0 agent and 1 read API keys");
        logs.ShouldNotContain(Secured.WriteKey);
        logs.ShouldNotContain(Secured.ReadKey);
        logs.ShouldNotContain("wrong-key-that-must-not-be-logged");
    }

    [Fact]
    public async Task TokensAreMintedOnlyForValidRequests()
    {
        var ok = await _secured.Writer.PostAsync("/api/tokens", new { topics = new[] { "sessions", "session:agent-*" }, labels = new { team = "core" }, ttl_seconds = 120 });
        ok.Status.ShouldBe(200, ok.Body.ToString());
        ok.Body.Str("token").Split('.').Length.ShouldBe(3);
        ok.Body.Long("expires_in").ShouldBeInRange(119, 120); // JWT times are whole seconds
        ok.Body.Str("token_type").ShouldBe("Bearer");
        ok.Body.GetProperty("labels").GetProperty("team").GetString().ShouldBe("core");

        var defaults = await _secured.Writer.PostAsync("/api/tokens", "");
        defaults.Status.ShouldBe(200);
        defaults.Body.Long("expires_in").ShouldBeInRange(15 * 60 - 1, 15 * 60);
        defaults.Body.GetProperty("topics").EnumerateArray().Select(t => t.GetString()).ShouldBe(["sessions", "summary", "session:*", "usage"]);

        (await _secured.Writer.PostAsync("/api/tokens", new { topics = new[] { "sessions" }, scope = "all" })).ShouldBeProblem(400, "scope");
        (await _secured.Writer.PostAsync("/api/tokens", new { topics = "sessions" })).ShouldBeProblem(400, "topics");
        (await _secured.Writer.PostAsync("/api/tokens", new { topics = Array.Empty<string>() })).ShouldBeProblem(400, "topics");
        (await _secured.Writer.PostAsync("/api/tokens", new { topics = new[] { "sesions" } })).ShouldBeProblem(400, "topics");
        (await _secured.Writer.PostAsync("/api/tokens", new { topics = new[] { "session:a b" } })).ShouldBeProblem(400, "topics");
        (await _secured.Writer.PostAsync("/api/tokens", new { topics = Enumerable.Repeat("sessions", 101) })).ShouldBeProblem(400, "topics");
        (await _secured.Writer.PostAsync("/api/tokens", new { ttl_seconds = 0 })).ShouldBeProblem(400, "ttl_seconds");
        (await _secured.Writer.PostAsync("/api/tokens", new { ttl_seconds = 86_401 })).ShouldBeProblem(400, "ttl_seconds");
        (await _secured.Writer.PostAsync("/api/tokens", new { ttl_seconds = "60" })).ShouldBeProblem(400, "ttl_seconds");
        (await _secured.Writer.PostAsync("/api/tokens", new { labels = new { team = 5 } })).ShouldBeProblem(400, "labels");
        (await _secured.Writer.PostAsync("/api/tokens", new { labels = new { } })).ShouldBeProblem(400, "labels");
        (await _secured.Writer.PostAsync("/api/tokens", new { topics = new[] { "summary" }, labels = new { team = "a" } })).ShouldBeProblem(400, "topics");
        (await _secured.Writer.PostAsync("/api/tokens", "{\"topics\": [")).ShouldBeProblem(400);
        (await Server.Http.PostAsync("/api/tokens", new { topics = new[] { "sessions" } })).ShouldBeProblem(401);
    }

    [Fact]
    public async Task WithoutKeysTokensAreNotNeededAndNotMinted()
    {
        await using var open = await SwitchboardServer.StartAsync();
        var r = await open.Http.PostAsync("/api/tokens", new { topics = new[] { "sessions" } });
        r.ShouldBeProblem(404);
        r.Body.Str("code").ShouldBe("auth_disabled");
        // Auth off: a presented key or token is simply not needed.
        using var anyKey = open.HttpWithKey("anything-at-all-goes-here");
        (await anyKey.GetJsonAsync("/api/summary")).Status.ShouldBe(200);
        File.Exists(Path.Combine(open.DataDirectory, "token-secret")).ShouldBeFalse("no secret is generated while auth is off");
    }

    [Fact]
    public async Task TheGeneratedSecretIsPrivateAndSurvivesARestart()
    {
        using var data = new TempDirectory();
        string token;
        await using (var first = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys(Secured.WriteKey), dataDirectory: data.Path))
        {
            using var writer = first.HttpWithKey(Secured.WriteKey);
            token = (await writer.PostAsync("/api/tokens", new { topics = new[] { "summary" } })).Body.Str("token");
        }

        var path = Path.Combine(data.Path, "token-secret");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await using var second = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys(Secured.WriteKey), dataDirectory: data.Path);
        await using var client = await PhoenixClient.ConnectAsync(new Uri(second.WebSocketUri + "&token=" + token));
        (await client.JoinAsync("summary")).Status.ShouldBe("ok", "a token minted before the restart still verifies");
    }

    [Fact]
    public async Task BadKeySettingsStopStartUpWithAMessage()
    {
        var ex = await Should.ThrowAsync<InvalidOperationException>(() => SwitchboardServer.StartAsync(o =>
        {
            o.Security.AddApiKeys("short,fine-key-0123456789abcdef,fine-key-0123456789abcdef");
            o.Security.TokenSigningKey = "too-short";
        }));
        var message = ex.ToString();
        message.ShouldContain("API key #1 is shorter than 16 characters");
        message.ShouldContain("API key #3 is listed twice");
        message.ShouldContain("token signing secret is shorter than 32 characters");
        message.ShouldNotContain("fine-key-0123456789abcdef");
    }

    [Fact]
    public void KeyListsParseScopes()
    {
        var options = new Switchboard.Server.Options.SecurityOptions().AddApiKeys(" alpha-key-0123456789 , beta-key-0123456789:read,gamma-key-0123456789:WRITE,, ");
        options.ApiKeys.Select(k => (k.Key, k.Scope)).ShouldBe([
            ("alpha-key-0123456789", Switchboard.Server.Options.ApiKeyScope.Write),
            ("beta-key-0123456789", Switchboard.Server.Options.ApiKeyScope.Read),
            ("gamma-key-0123456789", Switchboard.Server.Options.ApiKeyScope.Write),
        ]);
        options.AuthEnabled.ShouldBeTrue();
    }
}

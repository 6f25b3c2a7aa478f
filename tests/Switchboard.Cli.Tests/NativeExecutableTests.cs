using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// The Native AOT executable serves what the JIT one does: the same OpenAPI document, the dashboard and its files, hooks,
/// sessions, problem+json, MCP and the Phoenix socket, on SQLite and on PostgreSQL. Each path is one that fails without
/// reflection if something in it still needs it.
/// </summary>
public sealed class NativeExecutableTests(NativeExecutable native, PostgresClusterFixture postgres)
    : IClassFixture<NativeExecutable>, IClassFixture<PostgresClusterFixture>
{
    private static readonly string Wwwroot = Path.Combine(RepoPaths.Root, "src", "Switchboard.Server", "Dashboard", "wwwroot");

    [Fact]
    public async Task TheNativeExecutableServesTheSameOpenApiDocumentAsTheJitBuild()
    {
        using var data = new TempDirectory();
        var (server, address) = await native.ServeAsync(null, "--data-dir", data.Path);
        await using var _ = server;
        using var jitData = new TempDirectory();
        await using var jit = Cli.Start("--urls", "http://127.0.0.1:0", "--data-dir", jitData.Path);
        var jitAddress = await jit.WaitForListeningAsync();

        using var http = new HttpClient { Timeout = TestTimeouts.Long };
        var ours = await http.GetByteArrayAsync(new Uri(address, "/openapi/v1.json"));
        var theirs = await http.GetByteArrayAsync(new Uri(jitAddress, "/openapi/v1.json"));
        ours.Length.ShouldBeGreaterThan(100_000, Encoding.UTF8.GetString(ours) + server.Output);
        Encoding.UTF8.GetString(ours).ShouldBe(Encoding.UTF8.GetString(theirs));
    }

    [Fact]
    public async Task TheNativeExecutableServesTheDashboardAndEveryFileItLoads()
    {
        using var data = new TempDirectory();
        var (server, address) = await native.ServeAsync(null, "--data-dir", data.Path);
        await using var _ = server;
        using var http = new HttpClient { BaseAddress = address, Timeout = TestTimeouts.Default };

        var page = await http.GetAsync("/");
        page.StatusCode.ShouldBe(HttpStatusCode.OK, server.Output);
        (await page.Content.ReadAsByteArrayAsync()).ShouldBe(await File.ReadAllBytesAsync(Path.Combine(Wwwroot, "index.html")));
        var files = Directory.GetFiles(Wwwroot, "*", SearchOption.AllDirectories);
        files.Length.ShouldBeGreaterThan(20);
        foreach (var file in files)
        {
            var path = "/dashboard/" + Path.GetRelativePath(Wwwroot, file).Replace('\\', '/');
            using var response = await http.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            response.Content.Headers.ContentType!.ToString().ShouldBe(ContentType(file), path);
            (await response.Content.ReadAsByteArrayAsync()).ShouldBe(await File.ReadAllBytesAsync(file), path);
        }
    }

    [Fact]
    public async Task TheNativeExecutableTakesHooksAndShowsThemLiveOverPhoenixAndMcp()
    {
        using var data = new TempDirectory();
        var (server, address) = await native.ServeAsync(null, "--data-dir", data.Path);
        await using var _ = server;
        using var http = new HttpClient { BaseAddress = address, Timeout = TestTimeouts.Default };

        await using var socket = await PhoenixClient.ConnectAsync(new Uri($"ws://{address.Authority}/socket/websocket?vsn=2.0.0"));
        (await socket.JoinAsync("sessions")).Status.ShouldBe("ok");
        var hook = await http.PostAsync("/hooks/claude-code", Json(
            """{"hook_event_name":"UserPromptSubmit","session_id":"native-hook","cwd":"/work/repo","prompt":"build it"}"""));
        hook.StatusCode.ShouldBe(HttpStatusCode.OK, await hook.Content.ReadAsStringAsync() + server.Output);
        var update = await socket.WaitForAsync(f => f.Topic == "sessions" && f.Raw.Contains("native-hook", StringComparison.Ordinal));
        update.Event.ShouldStartWith("session_");
        (await http.GetStringAsync("/api/sessions")).ShouldContain("native-hook");

        var bad = await http.PostAsync("/api/sessions", Json("""{"id": "x", "name": """));
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        bad.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();

        var (session, initialized) = await McpAsync(http, null,
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"native","version":"1"}}}""");
        initialized["result"]!["serverInfo"]!["name"]!.GetValue<string>().ShouldBe("switchboard");
        await McpAsync(http, session, """{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        var (_, tools) = await McpAsync(http, session, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");
        tools["result"]!["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ShouldContain("list_sessions");
        var (_, listed) = await McpAsync(http, session,
            """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_sessions","arguments":{}}}""");
        listed["result"]!["isError"]?.GetValue<bool>().ShouldBeFalse();
        listed["result"]!.ToJsonString().ShouldContain("native-hook");
    }

    [Fact]
    public async Task TheNativeExecutableKeepsItsSessionsInPostgres()
    {
        var cluster = await postgres.GetAsync();
        var db = await cluster.CreateDatabaseAsync();
        using var data = new TempDirectory();
        var (server, address) = await native.ServeAsync(
            new Dictionary<string, string> { ["Switchboard__Store"] = "postgres", ["Switchboard__Postgres__ConnectionString"] = db },
            "--data-dir", data.Path);
        await using var _ = server;
        await server.WaitForLineAsync(l => l.Contains("Store: postgres", StringComparison.Ordinal));
        using var http = new HttpClient { BaseAddress = address, Timeout = TestTimeouts.Default };

        var hook = await http.PostAsync("/hooks/claude-code", Json(
            """{"hook_event_name":"UserPromptSubmit","session_id":"native-pg","cwd":"/work/repo","prompt":"build it"}"""));
        hook.StatusCode.ShouldBe(HttpStatusCode.OK, await hook.Content.ReadAsStringAsync() + server.Output);
        var created = await http.PostAsync("/api/sessions", Json("""{"id":"native-pg-api","name":"in postgres"}"""));
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        (await http.GetStringAsync("/api/sessions")).ShouldContain("native-pg");
        var rows = await cluster.ScalarAsync<long>(
            "SELECT count(*) FROM switchboard_sessions WHERE id = 'native-pg-api'", new Npgsql.NpgsqlConnectionStringBuilder(db).Database!);
        rows.ShouldBe(1L);
    }

    /// <summary>
    /// Once it listens, the executable pages out what only start-up read of its own file (tens of megabytes of code and
    /// data), and the pages a running server needs come back from the file: it still takes a hook and serves the dashboard.
    /// </summary>
    [Fact]
    public async Task TheNativeExecutablePagesOutWhatOnlyStartUpReadAndStillServes()
    {
        using var data = new TempDirectory();
        var (server, address) = await native.ServeAsync(null, "--data-dir", data.Path);
        await using var _ = server;
        var line = await server.WaitForLineAsync(l => l.Contains("Start-up memory returned", StringComparison.Ordinal));

        var figures = StartUpMemoryLine.Parse(line);
        figures.Mappings.ShouldBeGreaterThan(0, line);
        figures.MappedMb.ShouldBeGreaterThan(20, line); // the executable's code and read-only data alone
        (figures.StartMb - figures.PagedOutMb).ShouldBeGreaterThan(10, line);

        using var http = new HttpClient { BaseAddress = address, Timeout = TestTimeouts.Default };
        var hook = await http.PostAsync("/hooks/claude-code", Json(
            """{"hook_event_name":"UserPromptSubmit","session_id":"native-paged","cwd":"/work/repo","prompt":"build it"}"""));
        hook.StatusCode.ShouldBe(HttpStatusCode.OK, await hook.Content.ReadAsStringAsync() + server.Output);
        (await http.GetStringAsync("/api/sessions")).ShouldContain("native-paged");
        (await http.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>One JSON-RPC message to <c>/mcp</c>; the answer comes as JSON or as one server-sent event.</summary>
    private static async Task<(string? Session, JsonNode Answer)> McpAsync(HttpClient http, string? session, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = Json(body) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        var id = response.Headers.TryGetValues("Mcp-Session-Id", out var ids) ? ids.Single() : session;
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            return (id, new JsonObject()); // a notification
        }

        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? text.Split('\n').Single(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..]
            : text;
        return (id, JsonNode.Parse(json)!);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string ContentType(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" or ".mjs" => "text/javascript; charset=utf-8",
        ".md" => "text/markdown; charset=utf-8",
        var other => throw new ShouldAssertException($"the dashboard has a {other} file this test does not know"),
    };
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Conformance.Tests;

/// <summary>
/// The TypeScript client (clients/typescript) against the real executable: its <c>node --test</c> suites (the OpenAPI
/// check of the types, producer calls, errors, the session handle's coalescing and heartbeats, subscribe and resume
/// across a kill -9, the live view), then its React hooks and TanStack Query adapter rendered in Debian's Chromium.
/// Node.js, npm and Chromium must be there (.ci/run installs them): a missing one fails the tests, never skips them.
/// </summary>
public sealed class TypeScriptClientTests(TypeScriptClientPackage package, ITestOutputHelper output) : IClassFixture<TypeScriptClientPackage>
{
    [Fact]
    public async Task TheNodeTestSuitesOfTheTypeScriptClientPass()
    {
        package.EnsureBuilt();
        var suites = Directory.GetFiles(Path.Combine(TypeScriptClientPackage.Dir, "test"), "*.test.mjs")
            .Select(f => "test/" + Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        suites.Length.ShouldBeGreaterThanOrEqualTo(6);
        var (exitCode, log) = await TypeScriptClientPackage.RunAsync(
            "node", ["--test", "--test-concurrency=3", .. suites], TimeSpan.FromMinutes(3));
        exitCode.ShouldBe(0, log);
        log.ShouldContain("# fail 0", customMessage: log);
        log.ShouldContain("# skipped 0", customMessage: log);
        log.ShouldNotContain("# pass 0", customMessage: log);
        output.WriteLine(log);
    }

    [Fact]
    public async Task TheDashboardServesTheLiveModuleAsTheClientBuildsIt()
    {
        // The dashboard imports the client's live module (applying events, resuming by seq) from a checked-in copy of
        // dist/live.js; the fixture has just built dist, so the copy must be byte for byte what the build gives.
        package.EnsureBuilt();
        var (exitCode, log) = await TypeScriptClientPackage.RunAsync("node", ["scripts/dashboard.mjs", "--check"], TimeSpan.FromMinutes(1));
        exitCode.ShouldBe(0, log);
    }

    [Fact]
    public async Task ReactHooksAndTheQueryAdapterRenderLiveUpdatesInChromiumWithoutRefetching()
    {
        package.EnsureBuilt();
        using var data = new TempDirectory("switchboard-ts-browser");
        await using var server = await ServerProcess.StartAsync(data.Path);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var team = "web-" + Guid.NewGuid().ToString("N")[..8];
        await PostAsync(http, "/api/sessions", new { id = "s1", name = "first", state = "working", labels = new { team } });

        var browser = await package.BrowserAsync();
        await using var context = await browser.NewContextAsync();
        context.SetDefaultTimeout((float)TestTimeouts.Default.TotalMilliseconds);
        var pageDir = Path.Combine(TypeScriptClientPackage.Dir, "test", "browser");
        await context.RouteAsync($"{server.BaseAddress}__tsclient/**", route =>
        {
            var file = new Uri(route.Request.Url).AbsolutePath switch
            {
                "/__tsclient/index.html" => (Path.Combine(pageDir, "index.html"), "text/html"),
                "/__tsclient/dist/page.js" => (Path.Combine(pageDir, "dist", "page.js"), "text/javascript"),
                _ => (null, null),
            };
            return file.Item1 is null
                ? route.FulfillAsync(new RouteFulfillOptions { Status = 404 })
                : route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = file.Item2, Path = file.Item1 });
        });
        var page = await context.NewPageAsync();
        var apiRequests = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        page.Request += (_, request) =>
        {
            var path = new Uri(request.Url).AbsolutePath;
            if (path.StartsWith("/api/", StringComparison.Ordinal))
            {
                apiRequests.Enqueue($"{request.Method} {path}");
            }
        };
        page.PageError += (_, error) => errors.Enqueue(error);
        var console = new ConcurrentQueue<string>();
        page.Console += (_, message) => console.Enqueue($"{message.Type}: {message.Text}");
        page.WebSocket += (_, socket) =>
        {
            console.Enqueue($"websocket {socket.Url}");
            socket.Close += (_, _) => console.Enqueue("websocket closed");
            socket.SocketError += (_, e) => console.Enqueue("websocket error " + e);
        };
        try
        {
            await RunPageAsync(page, server, http, team, apiRequests, errors);
        }
        catch (Exception e)
        {
            throw new Exception($"{e.Message}\n--- page console ---\n{string.Join('\n', console)}\n--- server ---\n{server.Output}", e);
        }
    }

    private async Task RunPageAsync(IPage page, ServerProcess server, HttpClient http, string team,
        ConcurrentQueue<string> apiRequests, ConcurrentQueue<string> errors)
    {

        // The page is served from the server's own origin, so its socket and fetches go to the server as they would
        // from an app on the same site.
        await page.GotoAsync($"{server.BaseAddress}__tsclient/index.html?team={team}&session=s1");
        await Expect(page.GetByTestId("connection")).ToHaveTextAsync("open");
        await Expect(page.GetByTestId("hook-session")).ToHaveTextAsync(["first|working|0"]);
        await Expect(page.GetByTestId("hook-one")).ToHaveTextAsync("first|working|0");
        await Expect(page.GetByTestId("query-session")).ToHaveTextAsync(["first|working|0"]);
        await Expect(page.GetByTestId("hook-summary")).ToHaveTextAsync("1|0");
        await Expect(page.GetByTestId("query-summary")).ToHaveTextAsync("1|0");
        var loadedRequests = apiRequests.ToArray();
        loadedRequests.ShouldContain("GET /api/sessions");
        loadedRequests.ShouldContain("GET /api/summary");
        (await page.EvaluateAsync<int>("window.__queryFetches")).ShouldBe(2);

        // An update shows in the rendered hook and the cached query from the event alone (no request follows: checked
        // below); the time from before the PATCH is sent to the DOM change is printed, not asserted (a benchmark's job).
        var seen = page.EvaluateAsync<double>(
            """
            () => new Promise(resolve => {
              const start = performance.now();
              const done = () => [...document.querySelectorAll("[data-testid=hook-session]")].some(e => e.textContent === "renamed|idle|7")
                && document.querySelector("[data-testid=query-session]")?.textContent === "renamed|idle|7";
              if (done()) resolve(0);
              new MutationObserver((_, observer) => {
                if (done()) { observer.disconnect(); resolve(performance.now() - start); }
              }).observe(document.body, {subtree: true, childList: true, characterData: true});
            })
            """);
        await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => r(null)))");
        await PatchAsync(http, "/api/sessions/s1", new { name = "renamed", state = "idle", tasks_running = 7 });
        var elapsedMs = await seen.WaitAsync(TestTimeouts.Default);
        output.WriteLine($"update rendered by the hook and the query {elapsedMs:F0} ms after the PATCH was sent");
        await Expect(page.GetByTestId("hook-one")).ToHaveTextAsync("renamed|idle|0");

        // Usage, a new session and a termination: the hooks and the cached queries follow, all from events.
        await PostAsync(http, "/api/sessions/s1/usage", new { input_tokens = 100, output_tokens = 20 });
        await PostAsync(http, "/api/sessions", new { id = "s2", name = "second", labels = new { team } });
        await PostAsync(http, "/api/sessions", new { id = "other", name = "other team", labels = new { team = "other" } });
        await PostAsync(http, "/api/sessions/s1/terminate", new { reason = "finished" });
        await Expect(page.GetByTestId("hook-session")).ToHaveTextAsync(["second|initializing|0"]);
        await Expect(page.GetByTestId("query-session")).ToHaveTextAsync(["second|initializing|0", "renamed|terminated|7"]);
        await Expect(page.GetByTestId("hook-one")).ToHaveTextAsync("renamed|terminated|120");
        await Expect(page.GetByTestId("hook-summary")).ToHaveTextAsync("2|120");
        await Expect(page.GetByTestId("query-summary")).ToHaveTextAsync("2|120");

        // Alerts (useAlerts, the `alerts` topic): raised, acknowledged and resolved in the rendered hook from events alone.
        await PostAsync(http, "/api/alert-rules", new { id = "errored", name = "Errored", condition = "session_error", severity = "critical", labels = new { team } });
        await PostAsync(http, "/api/alert-rules", new { id = "busy", name = "Busy", condition = "active_count", threshold = 2, severity = "info" });
        await Expect(page.GetByTestId("hook-alert")).ToHaveTextAsync(["Busy|info|fleet|-"]);
        await PatchAsync(http, "/api/sessions/s2", new { state = "error" });
        await Expect(page.GetByTestId("hook-alert")).ToHaveTextAsync(["Errored|critical|s2|-", "Busy|info|fleet|-"]);
        await Expect(page.GetByTestId("hook-critical")).ToHaveTextAsync("s2");
        var alertId = (await http.GetFromJsonAsync<JsonElement>("/api/alerts?state=open")).GetProperty("alerts").EnumerateArray()
            .Single(a => a.GetProperty("rule_id").GetString() == "errored").GetProperty("id").GetString();
        await PostAsync(http, $"/api/alerts/{alertId}/ack", new { by = "ops", note = "on it" });
        await Expect(page.GetByTestId("hook-alert").First).ToHaveTextAsync("Errored|critical|s2|ops");
        await PatchAsync(http, "/api/sessions/s2", new { state = "working" });
        await Expect(page.GetByTestId("hook-alert")).ToHaveTextAsync(["Busy|info|fleet|-"]);
        await Expect(page.GetByTestId("hook-critical")).ToHaveTextAsync("");

        // Webhooks (useWebhooks, the `webhooks` topic): an endpoint shows when created, then with its failed delivery
        // (nobody listens on port 9), then leaves, from pushes alone; the `failing` filter leaves out an active one.
        await Expect(page.GetByTestId("hook-webhook")).ToHaveCountAsync(0);
        await PostAsync(http, "/api/webhooks", new { id = "ops", url = "http://127.0.0.1:9/hook" });
        await Expect(page.GetByTestId("hook-webhook")).ToHaveTextAsync([new Regex(@"^ops\|active\|")]);
        await PatchAsync(http, "/api/sessions/s2", new { tasks_running = 1 });
        await Expect(page.GetByTestId("hook-webhook")).ToHaveTextAsync(["ops|active|error"]);
        await Expect(page.GetByTestId("hook-failing-webhooks")).ToHaveTextAsync("");
        using (var deleted = await http.DeleteAsync("/api/webhooks/ops"))
        {
            deleted.IsSuccessStatusCode.ShouldBeTrue(await deleted.Content.ReadAsStringAsync());
        }

        await Expect(page.GetByTestId("hook-webhook")).ToHaveCountAsync(0);

        // Nothing was fetched again: the cache was updated in place with setQueryData.
        apiRequests.ToArray().ShouldBe(loadedRequests, "no HTTP request after the first load");
        (await page.EvaluateAsync<int>("window.__queryFetches")).ShouldBe(2);
        errors.ShouldBeEmpty();
    }

    private static async Task PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync());
    }

    private static async Task PatchAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PatchAsJsonAsync(path, body);
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync());
    }
}

/// <summary>
/// Installs and builds clients/typescript once for the class (<c>npm ci</c>, <c>tsc</c>, the esbuild test page) and
/// starts one headless Debian Chromium for the browser test.
/// </summary>
public sealed class TypeScriptClientPackage : IAsyncLifetime
{
    public static string Dir => Path.Combine(RepoPaths.Root, "clients", "typescript");

    private string? _buildFailure;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async ValueTask InitializeAsync()
    {
        foreach (var step in new[] { new[] { "ci", "--no-audit", "--no-fund" }, ["run", "build"], ["run", "build:test-page"] })
        {
            var (exitCode, output) = await RunAsync("npm", step, TimeSpan.FromMinutes(3));
            if (exitCode != 0)
            {
                _buildFailure = $"npm {string.Join(' ', step)} failed with exit code {exitCode}:\n{output}";
                return;
            }
        }
    }

    public void EnsureBuilt()
    {
        if (_buildFailure is not null)
        {
            throw new InvalidOperationException(_buildFailure);
        }
    }

    public async Task<IBrowser> BrowserAsync()
    {
        if (_browser is not null)
        {
            return _browser;
        }

        var executable = Environment.GetEnvironmentVariable("SWITCHBOARD_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"Chromium is required by the TypeScript client's browser test and was not found at {executable}. " +
                "Install it (apt-get install chromium; .ci/run does this) or set SWITCHBOARD_CHROMIUM. This test never skips.");
        }

        // Generous waits for the page's assertions: CI shares two cores with the rest of the suite.
        SetDefaultExpectTimeout((float)TestTimeouts.Default.TotalMilliseconds);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // The test page is fulfilled by Playwright, so Chromium cannot tell it came from the loopback address and
            // would block its socket to 127.0.0.1 as a public page reaching into the local network. A real app is
            // served from a real address; the check is off for the synthesized page only.
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-features=LocalNetworkAccessChecks",
            ],
            Timeout = (float)TestTimeouts.Long.TotalMilliseconds,
        });
        return _browser;
    }

    /// <summary>
    /// Runs a command in clients/typescript with the built server's path in the environment, and gives up once it has
    /// printed nothing for <paramref name="quiet"/>. A bound on silence, not on the whole run: a test runner prints as
    /// each test ends, so a stuck test still fails, while a whole suite on a loaded machine may take as long as its tests
    /// need (one stress run took over 3 minutes for the node suites, every test passing).
    /// </summary>
    public static Task<(int ExitCode, string Output)> RunAsync(string command, IEnumerable<string> args, TimeSpan quiet)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = Dir };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SWITCHBOARD_SERVER_DLL"] = RepoPaths.ServerDll;
        return QuietBoundedProcess.RunAsync(start, quiet, "the TypeScript client's tests need Node.js and npm (.ci/run installs them).");
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Text;
using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// With auth on, the page asks for a key once, keeps it in sessionStorage, sends it as a Bearer, and keeps its socket on
/// short-lived subscriber tokens it renews in place — live updates continue across several token lifetimes without a
/// reconnect.
/// </summary>
public sealed class AuthTests(Chromium chromium)
{
    private const string WriteKey = "dashboard-write-key-0123456789";

    [Fact]
    public async Task ThePageAsksForAKeyOnceAndStaysLiveAcrossTokenRenewals()
    {
        // Tokens live 20 s and are renewed at three quarters of that: about 5 s before the server would close the socket,
        // room enough for a renewal that goes through the route below on a loaded machine.
        var lifetime = TimeSpan.FromSeconds(20);
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Security.AddApiKeys(WriteKey);
            o.Security.TokenLifetime = lifetime;
        });
        using var producer = server.HttpWithKey(WriteKey);
        await producer.CreateAsync("guarded-1", "Guarded one", state: "idle");

        var apiCalls = new ConcurrentQueue<(DateTime At, string Path, string? Authorization)>();
        var socketUrls = new ConcurrentQueue<string>();
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, waitConnected: false, prepare: async context =>
        {
            await context.AddInitScriptAsync(RecordSubprotocols);
            context.Page += (_, p) => p.WebSocket += (_, ws) => socketUrls.Enqueue(ws.Url);
            await context.RouteAsync("**/api/**", async route =>
            {
                var headers = await route.Request.AllHeadersAsync();
                apiCalls.Enqueue((DateTime.UtcNow, new Uri(route.Request.Url).AbsolutePath, headers.GetValueOrDefault("authorization")));
                await route.ContinueAsync();
            });
        });

        var prompt = page.Page.GetByTestId("auth");
        await Expect(prompt).ToBeVisibleAsync();
        page.AllowRefusal(401, "/api/auth"); // the wrong key, on purpose
        await page.Page.GetByTestId("auth-key").FillAsync("not-the-key-at-all-0123");
        await page.Page.GetByTestId("auth-submit").ClickAsync();
        await Expect(page.Page.GetByTestId("auth-error")).ToHaveTextAsync("That key was not accepted. Check it and try again.");

        await page.Page.GetByTestId("auth-key").FillAsync(WriteKey);
        await page.Page.GetByTestId("auth-submit").ClickAsync();
        await Expect(prompt).ToBeHiddenAsync();
        await page.ExpectConnectionAsync("connected");
        await Expect(page.Row("guarded-1")).ToBeVisibleAsync();
        (await page.Page.EvaluateAsync<string>("sessionStorage.getItem('switchboard.api-key')")).ShouldBe(WriteKey);

        // phoenix.js's authToken: the token rides in the subprotocol "base64url.bearer.phx.<base64>", never in the URL,
        // and the server selects "phoenix".
        socketUrls.ShouldHaveSingleItem().ShouldNotContain("token");
        var offered = await page.Page.EvaluateAsync<string[][]>("() => window.__socketProtocols");
        offered.ShouldHaveSingleItem()[0].ShouldBe("phoenix");
        offered[0][1].ShouldStartWith("base64url.bearer.phx.");
        var token = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(offered[0][1]["base64url.bearer.phx.".Length..])));
        token.Split('.').Length.ShouldBe(3, "a signed subscriber token (JWT)");
        (await page.Page.EvaluateAsync<string>("() => window.__socketSelected")).ShouldBe("phoenix");

        // Changes keep arriving live while tokens expire and are renewed over the open socket: until the first renewed
        // token has expired too (a second after its lifetime from the request for it), so the socket is then on a third.
        DateTime? RenewedTokenGone() =>
            apiCalls.Where(c => c.Path == "/api/tokens").Skip(1).Select(c => (DateTime?)c.At).FirstOrDefault() + lifetime + TimeSpan.FromSeconds(1);
        var giveUp = DateTime.UtcNow + 3 * lifetime; // no renewal at all: stop, and the assertions below say why
        var state = "idle";
        while (DateTime.UtcNow < (RenewedTokenGone() ?? giveUp) && DateTime.UtcNow < giveUp)
        {
            state = state == "idle" ? "working" : "idle";
            await producer.PatchAsync("guarded-1", new { state });
            await Expect(page.Badge("guarded-1")).ToHaveTextAsync(state == "working" ? "Processing" : "Idle");
            await Task.Delay(1000);
        }

        await page.ExpectConnectionAsync("connected");
        (await page.ReconnectCountAsync()).ShouldBe(0, "renewals happen over the open socket");
        apiCalls.Count(c => c.Path == "/api/tokens").ShouldBeGreaterThanOrEqualTo(3, "the first token and a renewed one expired while live");
        apiCalls.Where(c => c.Path != "/api/auth").ShouldAllBe(c => c.Authorization == "Bearer " + WriteKey);
        page.ShouldHaveNoScriptErrors();

        // A reload in the same tab needs no prompt.
        await page.Page.ReloadAsync();
        await page.ExpectConnectionAsync("connected");
        await Expect(prompt).ToBeHiddenAsync();
    }

    /// <summary>Wraps the page's WebSocket to record the subprotocols each connection offers and the one the server chose.</summary>
    private const string RecordSubprotocols = """
        (() => {
          const Native = window.WebSocket;
          window.__socketProtocols = [];
          window.WebSocket = class extends Native {
            constructor(url, protocols) {
              super(url, protocols);
              window.__socketProtocols.push(protocols ?? []);
              this.addEventListener("open", () => { window.__socketSelected = this.protocol; });
            }
          };
        })();
        """;

    private static string Pad(string base64) => base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');

    [Fact]
    public async Task WithAuthOffThereIsNoPromptAndNoToken()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var sockets = new ConcurrentQueue<string>();
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, prepare: context =>
        {
            context.Page += (_, p) => p.WebSocket += (_, ws) => sockets.Enqueue(ws.Url);
            return Task.CompletedTask;
        });
        await Expect(page.Page.GetByTestId("auth")).ToBeHiddenAsync();
        page.Requests.ShouldNotContain(r => r.Url.AbsolutePath.EndsWith("/api/tokens", StringComparison.Ordinal));
        sockets.ShouldNotBeEmpty();
        sockets.ShouldAllBe(url => !url.Contains("token=", StringComparison.Ordinal));
    }
}

using System.Collections.Concurrent;
using Microsoft.Playwright;
using Switchboard.Testing;

namespace Switchboard.Dashboard.Tests.Browser;

/// <summary>
/// The dashboard open in its own browser context, with every request the page makes recorded (so tests can
/// prove what it does not fetch) and every uncaught script error collected. Every answer the page gets must be a success
/// (2xx, 101, 304) and every file it loads must arrive: anything else fails the test when the page is disposed, naming
/// the URL (a stylesheet that 404s passes every other assertion), unless the test said it provokes that refusal
/// (<see cref="AllowRefusal"/>).
/// </summary>
public sealed class DashboardPage : IAsyncDisposable
{
    private readonly ConcurrentQueue<PageRequest> _requests = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<string> _badAnswers = new();
    private readonly ConcurrentQueue<Func<string, int, bool>> _allowed = new();

    private DashboardPage(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Request += (_, request) => _requests.Enqueue(new PageRequest(DateTime.UtcNow, request.Method, new Uri(request.Url)));
        page.PageError += (_, error) => _errors.Enqueue(error);
        page.Response += (_, response) =>
        {
            // How the page learns that auth is on (auth.js): its probe without a key is answered 401 by design.
            var probe = response.Status == 401 && new Uri(response.Url).AbsolutePath.EndsWith("/api/auth", StringComparison.Ordinal)
                && !response.Request.Headers.ContainsKey("authorization");
            if (!probe)
            {
                Check(response.Url, response.Status, $"{response.Status}");
            }
        };
        page.RequestFailed += (_, request) =>
        {
            // An API call or socket cut by a test that takes the server away is that test's point; a file the page
            // needs (a stylesheet, a module) that does not arrive is a broken page whatever the test.
            if (!IsApi(new Uri(request.Url)))
            {
                Check(request.Url, 0, request.Failure ?? "failed");
            }
        };
        page.Console += (_, message) =>
        {
            // The browser's own reports of refused connections are expected whenever a test takes the server away.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)
                && !message.Text.StartsWith("WebSocket connection to", StringComparison.Ordinal))
            {
                _errors.Enqueue("console: " + message.Text);
            }
        };
    }

    /// <summary>
    /// Query parameter that gives the page a minute, not 3 s, to join before it starts polling: for tests that prove it
    /// made no list or summary request at all, which a join slowed by a loaded machine would otherwise rightly start.
    /// <see cref="OpenAsync"/> gives up on a page that has not connected long before the minute is over.
    /// </summary>
    public const string LongLoadGrace = "load_grace_ms=60000";

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public IReadOnlyCollection<PageRequest> Requests => _requests;

    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>
    /// Opens <c>{root}{query}</c> and waits until the page's channel is joined. <paramref name="prepare"/> runs on
    /// the new context before navigation (e.g. to route the WebSocket through the test).
    /// </summary>
    public static async Task<DashboardPage> OpenAsync(Chromium chromium, Uri root, string query = "",
        ColorScheme scheme = ColorScheme.Light, bool waitConnected = true, Func<IBrowserContext, Task>? prepare = null,
        int width = 1440, int height = 900)
    {
        var context = await chromium.NewContextAsync(scheme, width, height);
        context.SetDefaultTimeout((float)TestTimeouts.Default.TotalMilliseconds);
        if (prepare is not null)
        {
            await prepare(context);
        }

        var page = await context.NewPageAsync();
        var dashboard = new DashboardPage(context, page);
        await page.GotoAsync(new Uri(root, query).ToString());
        if (waitConnected)
        {
            await dashboard.ExpectConnectionAsync("connected");
        }

        return dashboard;
    }

    public ILocator Connection => Page.GetByTestId("connection");

    public ILocator Rows => Page.GetByTestId("session-row");

    public ILocator Toasts => Page.GetByTestId("toast");

    public ILocator EventItems => Page.GetByTestId("event-item");

    public ILocator Detail => Page.GetByTestId("detail");

    public ILocator PageInfo => Page.GetByTestId("page-info");

    public ILocator Row(string id) => Page.Locator($"[data-testid=session-row][data-session-id=\"{id}\"]");

    public ILocator Badge(string id) => Row(id).GetByTestId("state-badge");

    public ILocator Stat(string name) => Page.GetByTestId($"stat-{name}");

    /// <summary>Waits for the connection badge's state; on failure the page's script errors are in the message.</summary>
    public async Task ExpectConnectionAsync(string state, TimeSpan? timeout = null)
    {
        try
        {
            await Assertions.Expect(Connection).ToHaveAttributeAsync("data-state", state,
                new() { Timeout = (float)(timeout ?? TestTimeouts.Default).TotalMilliseconds });
        }
        catch (PlaywrightException ex) when (!_errors.IsEmpty || !_badAnswers.IsEmpty)
        {
            throw new PlaywrightException(ex.Message + "\nPage errors:\n" + string.Join("\n", _errors)
                + "\nRequests that did not succeed:\n" + string.Join("\n", _badAnswers), ex);
        }
    }

    /// <summary>Requests for the session list, the summary or the webhooks: what the polling fallback fetches.</summary>
    public IReadOnlyList<PageRequest> PollRequests(DateTime? since = null) =>
        [.. _requests.Where(r => r.IsPoll && r.At >= (since ?? DateTime.MinValue))];

    public async Task<int> ReconnectCountAsync() =>
        int.Parse(await Page.GetByTestId("reconnect-count").GetAttributeAsync("data-count") ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    public void ShouldHaveNoScriptErrors()
    {
        _errors.ShouldBeEmpty(string.Join("\n", _errors));
        ShouldHaveHadOnlySuccessfulAnswers();
    }

    /// <summary>
    /// Declares a refusal the test provokes (a wrong key's 401, a refused command's 409): answers to a URL whose path
    /// ends with <paramref name="pathEnd"/> with that status are not counted as failures.
    /// </summary>
    public void AllowRefusal(int status, string pathEnd) =>
        _allowed.Enqueue((url, s) => s == status && new Uri(url).AbsolutePath.EndsWith(pathEnd, StringComparison.Ordinal));

    /// <summary>Every request answered 2xx, 101 or 304 (or as <see cref="AllowRefusal"/> allows), every file arrived.</summary>
    public void ShouldHaveHadOnlySuccessfulAnswers() =>
        _badAnswers.ShouldBeEmpty("the page's requests that did not succeed:\n" + string.Join("\n", _badAnswers));

    /// <summary>
    /// From now on, records each child taken out of the element with <paramref name="testId"/>, even one put straight
    /// back: a click whose element left the document between its press and its release is lost. <see
    /// cref="DetachedAsync"/> names them (by session, alert, command, approval or webhook id, or an event's seq; else by tag).
    /// </summary>
    public Task WatchDetachmentsAsync(string testId) => Page.EvaluateAsync("""
        (id) => {
          const el = document.querySelector(`[data-testid="${id}"]`);
          const out = (window.__detached ??= {})[id] = [];
          new MutationObserver((records) => {
            for (const r of records) {
              for (const n of r.removedNodes) {
                const d = n.dataset ?? {};
                out.push(d.sessionId ?? d.alertId ?? d.commandId ?? d.approvalId ?? d.webhookId ?? d.seq ?? d.term ?? n.nodeName);
              }
            }
          }).observe(el, { childList: true });
        }
        """, testId);

    /// <summary>The children taken out of <paramref name="testId"/> since <see cref="WatchDetachmentsAsync"/>.</summary>
    public async Task<string[]> DetachedAsync(string testId) =>
        await Page.EvaluateAsync<string[]>("(id) => window.__detached[id]", testId);

    /// <summary>Selects all the text of <paramref name="element"/>, as a person dragging over it to copy it does.</summary>
    public static Task SelectTextAsync(ILocator element) => element.EvaluateAsync("""
        (el) => {
          const range = document.createRange();
          range.selectNodeContents(el);
          getSelection().removeAllRanges();
          getSelection().addRange(range);
        }
        """);

    /// <summary>The page's selected text now: empty once the node that held the selection left the document.</summary>
    public Task<string> SelectedTextAsync() => Page.EvaluateAsync<string>("() => getSelection().toString()");

    /// <summary>
    /// Fails when the page scrolls sideways (the document wider than the viewport), naming the elements that stick out
    /// past the right edge, deepest first, so the message points at the culprit.
    /// </summary>
    public async Task ShouldNotScrollSidewaysAsync()
    {
        var result = await Page.EvaluateAsync<string[]>("""
            () => {
              const width = document.documentElement.clientWidth;
              if (document.documentElement.scrollWidth <= width) return [];
              const out = [`document ${document.documentElement.scrollWidth} px wide in a ${width} px viewport`];
              for (const el of [...document.body.querySelectorAll('*')].reverse()) {
                const r = el.getBoundingClientRect();
                if (r.width > 0 && r.right > width + 0.5 && el.checkVisibility()) {
                  out.push(`${el.tagName.toLowerCase()}.${el.className} [${el.dataset.testid ?? ''}] ${Math.round(r.left)}..${Math.round(r.right)}`);
                }
                if (out.length > 8) break;
              }
              return out;
            }
            """);
        result.ShouldBeEmpty(string.Join("\n", result));
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        ShouldHaveHadOnlySuccessfulAnswers();
    }

    private void Check(string url, int status, string outcome)
    {
        // A redirect is a hop, not an answer: the request it leads to is checked on its own.
        var ok = status is (>= 200 and < 300) or 101 or 304 or 301 or 302 or 303 or 307 or 308;
        if (!ok && !_allowed.Any(allow => allow(url, status)))
        {
            _badAnswers.Enqueue($"{outcome} {url}");
        }
    }

    /// <summary>The API and the socket, under any prefix: what a test may cut off on purpose.</summary>
    private static bool IsApi(Uri url) =>
        url.AbsolutePath.Contains("/api/", StringComparison.Ordinal) || url.AbsolutePath.Contains("/v1/", StringComparison.Ordinal)
        || url.AbsolutePath.Contains("/socket", StringComparison.Ordinal) || url.Scheme is "ws" or "wss";
}

/// <summary>One request the page made.</summary>
public sealed record PageRequest(DateTime At, string Method, Uri Url)
{
    /// <summary>GET /api/sessions (the list, not one session) or GET /api/summary, under any prefix.</summary>
    /// <summary>A read the polling fallback makes: the session list, the summary or the webhooks.</summary>
    public bool IsPoll => Method == "GET"
        && (Url.AbsolutePath.EndsWith("/api/sessions", StringComparison.Ordinal) || Url.AbsolutePath.EndsWith("/api/summary", StringComparison.Ordinal)
            || Url.AbsolutePath.EndsWith("/api/webhooks", StringComparison.Ordinal));

    public bool IsSummary => Url.AbsolutePath.EndsWith("/api/summary", StringComparison.Ordinal);
}

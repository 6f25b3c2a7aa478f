using System.Globalization;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Switchboard.Server.Options;
using Switchboard.Server.Security;
using Switchboard.Server.Streams;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>
/// The access statuses of every operation the document lists, provoked for real: no key and a key the server does not
/// know (401), a key that lacks the role or the fleet-wide reach the route's row of <see cref="AccessTable"/> needs (403),
/// a subscriber token as the key, a token that lacks what a stream needs (401 or 403, OpenApiConformanceTests.Tokens),
/// a page of a foreign origin (403), a host name the server does not answer to (421) and past the per-key write rate
/// (429). Every answer must be a status the operation documents, with its body; the one the route's policy predicts must
/// be the one that came; and a documented 401, 403 or 421 must come to one of these requests (or, for 403, be listed
/// with the other cause that sends it).
/// </summary>
public sealed partial class OpenApiConformanceTests
{
    private const string OperatorKey = "oa-operator-0123456789abcdef";
    private const string AgentKey = "oa-agent-0123456789abcdef";
    private const string ReadKey = "oa-reader-0123456789abcdef";
    private const string ScopedKey = "oa-scoped-0123456789abcdef";
    private const string UnknownKey = "oa-unknown-0123456789abcdef";
    private const string StreamRoot = "/v1/stream/";
    private const string AccessKeys = $"@ops {OperatorKey}, @agents {AgentKey}:agent, @readers {ReadKey}:read, @red {ScopedKey} team=red";

    [Fact]
    public async Task EveryOperationWithoutAKeyOrWithAKeyThatMayNotCallItAnswersAsTheDocumentSays()
    {
        var time = new ManualTimeProvider();
        await using var secured = await SwitchboardServer.StartAsync(o =>
        {
            o.Security.AddApiKeys(AccessKeys);
            // Slack on, so that its route checks the signature it takes instead of a key (off, it is 404 to everyone).
            o.Slack.BotToken = "xoxb-oa";
            o.Slack.SigningSecret = "oa-signing-secret";
            o.Slack.Channel = "#approvals";
            o.Slack.ApiBaseUrl = new Uri("http://127.0.0.1:9/api/");
            o.Slack.DashboardUrl = new Uri("https://switchboard.example.com/");
        }, time);
        using var http = new HttpClient { BaseAddress = secured.BaseAddress, Timeout = TestTimeouts.Default };
        var forbidden = new Dictionary<string, List<string>>(); // the 403s each operation answered, by cause (a foreign origin's apart)
        var tokens = await MintSweepTokensAsync(http, time, forbidden);
        var tokenIsNoKey = TokenIsNoKeyRoutes(secured);
        var wrong = new List<string>();
        var refusals = 0;
        foreach (var (method, template, operation) in _document.Operations())
        {
            var access = Access(method, template);
            var path = Concrete(template);
            var label = $"{method} {template}";
            foreach (var (key, detail) in new[] { ((string?)null, "'Authorization: Bearer <key>'"), (UnknownKey, "Check it, or ask for a key") })
            {
                var answer = await Send(Request(method, path, key), null, http: http);
                if (access.NeededRole is not null)
                {
                    wrong.AddRange(Refused(answer, 401, "unauthorized", detail).Select(r => $"{label}, {key ?? "no key"}: {r}"));
                    refusals++;
                }
                else if (Documents(operation, 401) && answer.Status != 401)
                {
                    // Only the key check answers 401 with no credentials at all; a route that takes none must not list it.
                    wrong.Add($"{label}: documents 401, but with {key ?? "no key"} it answered {answer.Status}");
                }
            }

            var causes = forbidden.TryGetValue(label, out var minted) ? minted : forbidden[label] = [];
            foreach (var (key, code, detail) in Lacking(access, path))
            {
                var answer = await Send(Request(method, path, key), null, http: http);
                wrong.AddRange(Refused(answer, 403, code, detail).Select(r => $"{label}, a key that lacks what it needs ({key}): {r}"));
                causes.Add($"the {key} key");
                refusals++;
            }

            if (access.Caller == Caller.Subscriber)
            {
                wrong.AddRange(await SweepTokenRoute(http, method, template, tokens, causes));
            }
            else if (access.NeededRole is not null)
            {
                // A subscriber token is no key: unknown to the key check, or (where the server tells them apart) only for streams.
                var answer = await Send(Request(method, path, tokens.All), null, http: http);
                wrong.AddRange((tokenIsNoKey.Contains(label) ? Refused(answer, 403, "insufficient_scope", "A subscriber token only opens streams")
                    : Refused(answer, 401, "unauthorized", "Check it, or ask for a key")).Select(r => $"{label}, a subscriber token as the key: {r}"));
                if (answer.Status == 403)
                {
                    causes.Add("a subscriber token as the key");
                }
            }

            // Every route that documents 403 checks a page's origin before anything else (not counted as its own 403 below).
            var page = Request(method, path, null);
            page.Headers.Add("Origin", "https://page.example");
            var fromPage = await Send(page, null, http: http);
            if (Documents(operation, 403) || fromPage.Status == 403)
            {
                wrong.AddRange(Refused(fromPage, 403, "origin_not_allowed", "Switchboard:Security:AllowedOrigins").Select(r => $"{label}, from a foreign origin: {r}"));
            }
        }

        refusals.ShouldBeGreaterThan(100, "every operation behind a key, each refused several ways");
        CheckExchanges();
        wrong.AddRange(ForbiddenNeverAnswered(forbidden));
        wrong.ShouldBeEmpty(string.Join("\n", wrong));
    }

    [Fact]
    public async Task EveryOperationFromAHostNameTheServerDoesNotAnswerToAnswersAsTheDocumentSays()
    {
        // Auth off (the class's server): only loopback names and IP addresses, against DNS rebinding.
        var wrong = new List<string>();
        foreach (var (method, template, operation) in _document.Operations())
        {
            var request = Request(method, Concrete(template), null);
            request.Headers.Host = "rebound.example";
            var answer = await Send(request, null);
            if (answer.Status == 421)
            {
                wrong.AddRange(Refused(answer, 421, "host_not_allowed", "Switchboard:Security:AllowedHosts").Select(r => $"{method} {template}: {r}"));
            }
            else if (Documents(operation, 421))
            {
                wrong.Add($"{method} {template}: documents 421, but from a foreign host name it answered {answer.Status}");
            }
        }

        CheckExchanges();
        wrong.ShouldBeEmpty(string.Join("\n", wrong));
    }

    [Fact]
    public async Task EveryWriteOperationPastTheKeysWriteRateAnswersAsTheDocumentSays()
    {
        await using var secured = await SwitchboardServer.StartAsync(o =>
        {
            o.Security.AddApiKeys(AccessKeys);
            o.Http.WriteRateLimit = 1;
            o.Http.WriteRateWindow = TimeSpan.FromDays(1); // no refill while the test runs
        });
        using var http = new HttpClient { BaseAddress = secured.BaseAddress, Timeout = TestTimeouts.Default };
        await Send(Request(HttpMethod.Post.Method, "/api/fleet/resume", OperatorKey), 200, http: http);

        var wrong = new List<string>();
        var limited = 0;
        foreach (var (method, template, operation) in _document.Operations().Where(o => o.Method is not ("GET" or "HEAD")))
        {
            var answer = await Send(Request(method, Concrete(template), OperatorKey), null, http: http);
            if (Access(method, template).NeededRole is not null)
            {
                wrong.AddRange(Refused(answer, 429, "rate_limited", "Retry after").Select(r => $"{method} {template}: {r}"));
                if (!answer.ResponseHeaders.Contains("Retry-After"))
                {
                    wrong.Add($"{method} {template}: 429 without Retry-After");
                }

                limited++;
            }
            else if (answer.Status == 429)
            {
                wrong.Add($"{method} {template}: needs no key, so the per-key write rate does not apply, but it answered 429");
            }
        }

        limited.ShouldBeGreaterThan(20);
        CheckExchanges();
        wrong.ShouldBeEmpty(string.Join("\n", wrong));
    }

    /// <summary>The keys of <see cref="AccessKeys"/> that may not call a route, each with the code and the fix its 403 must name.</summary>
    private static List<(string Key, string Code, string Detail)> Lacking(RouteAccess access, string path)
    {
        var lacking = new List<(string, string, string)>();
        if (access.NeededRole == ApiKeyRole.Operator)
        {
            lacking.Add((AgentKey, "insufficient_role", "need an operator key"));
            lacking.Add((ReadKey, "insufficient_scope", "This request needs an operator key"));
        }
        else if (access.NeededRole == ApiKeyRole.Agent)
        {
            lacking.Add((ReadKey, "insufficient_scope", "This request needs an agent or operator key"));
        }

        // A Durable Stream's reach is its path's: a stream of nobody's session is fleet-wide.
        var reach = access.Reach == Reach.ByStreamPath ? AccessTable.StreamPaths[SessionStreams.KindOf(path[StreamRoot.Length..])] : access.Reach;
        if (access.NeededRole is not null && reach == Reach.FleetWide)
        {
            lacking.Add((ScopedKey, "insufficient_scope", "Use a key without a labels scope"));
        }

        return lacking;
    }

    /// <summary>What is wrong with <paramref name="answer"/> as the refusal <paramref name="status"/> with its code and fix; empty when right.</summary>
    private static List<string> Refused(Exchange answer, int status, string code, string detail)
    {
        if (answer.Status != status)
        {
            return [$"answered {answer.Status}, not {status}"];
        }

        var wrong = new List<string>();
        if (answer.Method == HttpMethod.Head)
        {
            return wrong; // the status is all an answer to HEAD says
        }

        if (answer.ContentType != "application/problem+json")
        {
            wrong.Add($"came as {answer.ContentType}, not application/problem+json");
        }
        else if (answer.Response is not { } problem || problem.Str("code") != code || !problem.Str("detail").Contains(detail, StringComparison.Ordinal))
        {
            wrong.Add($"the problem should have code {code} and name the fix ('{detail}'): {answer.Response}");
        }

        return wrong;
    }

    private static bool Documents(System.Text.Json.JsonElement operation, int status) =>
        operation.GetProperty("responses").TryGetProperty(status.ToString(CultureInfo.InvariantCulture), out _);

    /// <summary>The route's row of the access table (a catch-all parameter is documented as {path}, mapped as {**path}).</summary>
    private static RouteAccess Access(string method, string template) =>
        AccessTable.Find(method, template) ?? AccessTable.Find(method, CatchAll().Replace(template, "{**$1}"))
        ?? throw new InvalidOperationException($"{method} {template} has no row in the access table");

    /// <summary>A path of <paramref name="template"/>: its parameters filled with names that exist nowhere (a topic with a real one).</summary>
    private static string Concrete(string template) => Parameter().Replace(template, m => m.Groups[1].Value switch
    {
        "topic" => "sessions",
        "name" => "out",
        var name => "oa-access-" + name.ToLowerInvariant(),
    });

    private static HttpRequestMessage Request(string method, string path, string? key)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"\{([^}*]+)\}$")]
    private static partial Regex CatchAll();
}

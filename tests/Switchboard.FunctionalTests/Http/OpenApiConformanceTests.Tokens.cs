using System.Text;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>
/// The routes that take an API key or a subscriber token (<c>Caller.Subscriber</c>: the SSE stream, topic and session
/// stream reads, the long-poll connect), refused for what a token lacks: a tampered signature and an expiry (401, as a credential the server does
/// not take), topics that do not cover the stream, a labels scope on a fleet-wide topic or a label filter outside it (403);
/// a session outside the token's scope answers as one that does not exist.
/// </summary>
public sealed partial class OpenApiConformanceTests
{
    private const string RedSession = "oa-access-red";

    /// <summary>The subscriber tokens of the sweep, minted through <c>POST /api/tokens</c> before the clock moves 2 s.</summary>
    private sealed record SweepTokens(string All, string Tampered, string Expired, string AlertsOnly, string Red, string Blue);

    private async Task<SweepTokens> MintSweepTokensAsync(HttpClient http, ManualTimeProvider time, Dictionary<string, List<string>> forbidden)
    {
        // A key scoped by labels mints inside its scope only.
        var beyond = await Send(Json(Request("POST", "/api/tokens", ScopedKey), """{"labels":{"team":"blue"}}"""), 403, http: http);
        Refused(beyond, 403, "insufficient_scope", "would see beyond its scope").ShouldBeEmpty();
        forbidden["POST /api/tokens"] = ["a labels-scoped key minting beyond its scope"];

        await Send(Json(Request("POST", "/api/sessions", OperatorKey), $$$"""{"id":"{{{RedSession}}}","labels":{"team":"red"}}"""), 201, http: http);
        var stream = Request("PUT", $"/v1/stream/sessions/{RedSession}/out", AgentKey);
        stream.Content = new StringContent("red", Encoding.UTF8, "text/plain");
        await Send(stream, 201, http: http);

        var all = await MintAsync(http, OperatorKey, "{}");
        var tokens = new SweepTokens(
            all,
            Tampered(all),
            await MintAsync(http, OperatorKey, """{"ttl_seconds":1}"""),
            await MintAsync(http, OperatorKey, """{"topics":["alerts"]}"""),
            // Minted by the key scoped to team=red: the token carries its scope.
            await MintAsync(http, ScopedKey, """{"topics":["sessions","session:*","alerts"]}"""),
            await MintAsync(http, OperatorKey, """{"topics":["sessions","session:*"],"labels":{"team":"blue"}}"""));
        time.Advance(TimeSpan.FromSeconds(2)); // past the 1 s token's expiry; the others live for the default lifetime
        return tokens;
    }

    /// <summary>
    /// A token route's answers to every token that lacks something, and to tokens that do not (each answer checked against
    /// the document by the caller's <see cref="CheckExchanges"/>): what is wrong; the 403s it answered go to <paramref name="causes"/>.
    /// </summary>
    private async Task<List<string>> SweepTokenRoute(HttpClient http, string method, string template, SweepTokens tokens, List<string> causes)
    {
        if (template == "/socket/longpoll")
        {
            return method == "GET" ? await SweepLongPollConnect(http, tokens) : []; // a POST carries a connection's frames, never a credential
        }

        // The 403 of the topic streams is 'forbidden'; the SSE stream's, as the WebSocket handshake's, 'unauthorized'.
        var refusedCode = template == "/api/stream" ? "unauthorized" : "forbidden";
        var sessionStream = template == "/v1/stream/sessions/{session}/{name}";
        var wrong = new List<string>();
        async Task Expect(string path, string token, bool inQuery, int status, string code, string detail, string cause)
        {
            var request = Request(method, inQuery ? WithQuery(path, "token=" + Uri.EscapeDataString(token)) : path, inQuery ? null : token);
            var answer = await Send(request, null, http: http);
            if (answer.Status == 403)
            {
                causes.Add(cause);
            }

            var problems = status >= 400 ? Refused(answer, status, code, detail) : answer.Status == status ? [] : [$"answered {answer.Status}, not {status}"];
            wrong.AddRange(problems.Select(r => $"{method} {template}, {cause}: {r}"));
        }

        // A session stream's route names a session; the others a topic.
        var own = TokenPath(template, sessionStream ? RedSession : "sessions");
        await Expect(own, sessionStream ? tokens.Red : tokens.All, false, 200, "", "", "a token that covers the stream");
        await Expect(own, tokens.Tampered, false, 401, "unauthorized", "the token's signature or format is not valid", "a tampered signature");
        await Expect(own, tokens.Expired, true, 401, "unauthorized", "the token has expired", "an expired token (?token=)");
        await Expect(own, tokens.AlertsOnly, false, 403, refusedCode, "the token does not cover topic", "a token whose topics leave the stream out");
        if (!sessionStream)
        {
            var subtree = WithQuery(TokenPath(template, "session:" + RedSession), "subtree=true");
            await Expect(TokenPath(template, "alerts"), tokens.Red, false, 403, refusedCode, "'alerts' is fleet-wide", "a labels-scoped token on a fleet-wide topic");
            await Expect(WithQuery(own, "label=team=red"), tokens.Blue, false, 403, refusedCode, "outside the connection's labels scope",
                "a team=blue token filtering by team=red");
            await Expect(subtree, tokens.Blue, false, 403, refusedCode, "a subtree is followed from a session that exists", "a team=blue token following team=red's subtree");
            await Expect(subtree, tokens.Red, false, 200, "", "", "a team=red token following team=red's subtree");
        }

        if (template != "/api/stream")
        {
            // Another scope's session answers exactly as one that does not exist: the same status, and the same body but for
            // the path a problem names (the topic's events leave out what the scope does not see).
            var none = await Send(Request(method, TokenPath(template, sessionStream ? "oa-access-none" : "session:oa-access-none"), tokens.Blue), null, http: http);
            var other = await Send(Request(method, TokenPath(template, sessionStream ? RedSession : "session:" + RedSession), tokens.Blue), null, http: http);
            if (other.Status != none.Status || (sessionStream ? other.Response?.Str("code") != none.Response?.Str("code") : other.Response?.ToString() != none.Response?.ToString()))
            {
                wrong.Add($"{method} {template}, a team=blue token on team=red's session: {other.Status} {other.Response}, but on none {none.Status} {none.Response}");
            }
        }

        return wrong;
    }

    /// <summary>
    /// A long-poll connect checks the token (its topics are checked on each join, a frame of a later POST): every answer is
    /// HTTP 200 with the real status in the body, 410 with a connection key, or 403 as phoenix.js takes a refused socket.
    /// </summary>
    private async Task<List<string>> SweepLongPollConnect(HttpClient http, SweepTokens tokens)
    {
        var wrong = new List<string>();
        foreach (var (token, inQuery, status, cause) in new[]
        {
            (tokens.All, false, 410, "a valid token"),
            (tokens.Tampered, false, 403, "a tampered signature"),
            (tokens.Expired, true, 403, "an expired token (?token=)"),
        })
        {
            var path = "/socket/longpoll?vsn=2.0.0" + (inQuery ? "&token=" + Uri.EscapeDataString(token) : "");
            var answer = await Send(Request("GET", path, inQuery ? null : token), null, http: http);
            if (answer.Status != 200 || answer.Response?.GetProperty("status").GetInt32() != status)
            {
                wrong.Add($"GET /socket/longpoll, {cause}: answered {answer.Status} {answer.Response}, not 200 with status {status}");
            }
        }

        return wrong;
    }

    /// <summary>The path of a token route to <paramref name="target"/>: a topic, or on a session stream's route a session.</summary>
    private static string TokenPath(string template, string target) => template switch
    {
        "/api/stream" => "/api/stream?topics=" + target,
        "/v1/stream/topics/{topic}" => "/v1/stream/topics/" + target,
        "/v1/stream/sessions/{session}/{name}" => $"/v1/stream/sessions/{target}/out",
        _ => throw new InvalidOperationException($"{template} takes a subscriber token, and the sweep does not know its paths; add them here"),
    };

    private static string WithQuery(string path, string parameter) => path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + parameter;

    private async Task<string> MintAsync(HttpClient http, string key, string body) =>
        (await Send(Json(Request("POST", "/api/tokens", key), body), 200, http: http)).Response!.Value.Str("token");

    private static HttpRequestMessage Json(HttpRequestMessage request, string body)
    {
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return request;
    }

    /// <summary><paramref name="jwt"/> with one character in the middle of its signature changed (the last may only carry padding bits).</summary>
    private static string Tampered(string jwt)
    {
        var at = jwt.LastIndexOf('.') + (jwt.Length - jwt.LastIndexOf('.')) / 2;
        return string.Concat(jwt.AsSpan(0, at), jwt[at] == 'A' ? "B" : "A", jwt.AsSpan(at + 1));
    }
}

using System.Text;

namespace Switchboard.FunctionalTests.Security.Hostile;

/// <summary>
/// One hostile request written byte by byte, and its documented answer: the HTTP status, and for long-poll the
/// <c>status</c> inside its 200 body. <see cref="Wait"/> marks a head that never completes (it waits for the 408).
/// </summary>
internal sealed record RawInput(string Kind, byte[] Bytes, int ExpectedStatus)
{
    public int? ExpectedLongPollStatus { get; init; }

    public bool Wait { get; init; }

    /// <summary>The answer must be problem+json even where a bare status would pass (Kestrel's own 400 for a broken head).</summary>
    public bool Problem { get; init; }

    public override string ToString() => $"{Kind}: {Encoding.UTF8.GetString(Bytes.AsSpan(0, Math.Min(Bytes.Length, 120))).ReplaceLineEndings("⏎")}";
}

/// <summary>
/// Generates hostile raw requests from a seed, each refused by construction: a foreign <c>Host</c> (DNS rebinding) or
/// <c>Origin</c>, broken chunked framing, unknown paths and methods, bare LF line ends, heads that never complete,
/// <c>%00</c> in a path, an empty <c>vsn</c>, long-poll methods Phoenix refuses, and long-poll batches that are not UTF-8
/// or hold lone surrogates. Requests carry the write key, so only the hostile part
/// is refused; the server answers to <see cref="Host"/> and loopback only.
/// </summary>
internal static class HostileRequests
{
    /// <summary>The one host name the hostile server is configured to answer to besides loopback and addresses.</summary>
    public const string Host = "switchboard.test";

    private static readonly (string Method, string Path)[] Writes =
    [
        ("POST", "/api/sessions"), ("PATCH", $"/api/sessions/{HostileBodies.Target}"), ("POST", $"/api/sessions/{HostileBodies.Target}/usage"),
        ("POST", $"/api/sessions/{HostileBodies.Target}/terminate"), ("POST", "/api/fleet/pause"), ("POST", "/api/batch"),
    ];

    private static readonly (string Method, string Path)[] Reads =
    [
        ("GET", "/api/sessions"), ("GET", "/api/summary"), ("GET", "/api/events?since=0"), ("GET", $"/api/sessions/{HostileBodies.Target}"),
        ("GET", "/api/stream?topics=sessions"),
    ];

    public static List<RawInput> Generate(Random rng, int count, string longPollToken)
    {
        var inputs = new List<RawInput>(count);
        for (var i = 0; i < count; i++)
        {
            var pick = rng.Next(100);
            inputs.Add(pick switch
            {
                < 25 => ForeignHost(rng),
                < 35 => ForeignOrigin(rng),
                < 50 => BrokenChunks(rng),
                < 65 => UnknownPathOrMethod(rng),
                < 72 => BareLineFeeds(rng),
                < 74 => Unfinished(rng),
                < 79 => NulInPath(rng),
                < 84 => PhoenixEdge(rng, longPollToken),
                _ => LongPollLine(rng, longPollToken),
            });
        }

        return inputs;
    }

    private static byte[] Request(string method, string target, string host, string headers = "", string body = "") =>
        Encoding.UTF8.GetBytes($"{method} {target} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {Secured.WriteKey}\r\n{headers}" +
                               $"Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}");

    private static (string Method, string Path) AnyEndpoint(Random rng) => rng.Next(2) == 0 ? Writes[rng.Next(Writes.Length)] : Reads[rng.Next(Reads.Length)];

    private static RawInput ForeignHost(Random rng)
    {
        var name = rng.Next(4) switch
        {
            0 => Word(rng, rng.Next(1, 20)) + ".example",
            1 => "evil." + Host,
            2 => Host + ".evil.example",
            _ => Word(rng, rng.Next(1, 12)),
        };
        var host = rng.Next(2) == 0 ? name : $"{name}:{rng.Next(1, 65536)}";
        var origin = rng.Next(2) == 0 ? $"Origin: http://{host}\r\n" : "";
        if (rng.Next(5) == 0)
        {
            return new RawInput("foreign host on the socket", Encoding.UTF8.GetBytes(
                $"GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: {host}\r\n{origin}Upgrade: websocket\r\nConnection: Upgrade\r\n" +
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"), 421);
        }

        var (method, path) = AnyEndpoint(rng);
        return new RawInput("foreign host", Request(method, path, host, origin, method == "GET" ? "" : "{}"), 421);
    }

    private static RawInput ForeignOrigin(Random rng)
    {
        var (method, path) = AnyEndpoint(rng);
        var origin = rng.Next(3) switch
        {
            0 => "null",
            1 => $"https://{Word(rng, 8)}.example",
            _ => $"http://{Host}.{Word(rng, 4)}:{rng.Next(1, 65536)}",
        };
        return new RawInput("foreign origin", Request(method, path, Host, $"Origin: {origin}\r\n", method == "GET" ? "" : "{}"), 403);
    }

    private static RawInput BrokenChunks(Random rng)
    {
        // Endpoints that read a body (the fleet switch reads none, so it never sees the framing).
        var (method, path) = rng.Next(5) == 0 ? ("POST", "/api/batch") : Writes[rng.Next(Writes.Length - 2)];
        var chunks = rng.Next(4) switch
        {
            0 => "FFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n",
            1 => $"{Word(rng, 3).ToUpperInvariant()}zz\r\n{{}}\r\n0\r\n\r\n",
            2 => "-2\r\n{}\r\n0\r\n\r\n",
            _ => "1\r\n{}}\r\n0\r\n\r\n", // more data than the size says
        };
        var bytes = Encoding.UTF8.GetBytes($"{method} {path} HTTP/1.1\r\nHost: {Host}\r\nAuthorization: Bearer {Secured.WriteKey}\r\n" +
                                          $"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunks}");
        return new RawInput("broken chunked framing", bytes, 400);
    }

    private static RawInput UnknownPathOrMethod(Random rng)
    {
        if (rng.Next(2) == 0)
        {
            var method = new[] { "GET", "POST", "DELETE", "PUT" }[rng.Next(4)];
            return new RawInput("unknown path", Request(method, "/api/" + Word(rng, rng.Next(1, 30)), Host), 404);
        }

        var (path, wrong) = rng.Next(4) switch
        {
            0 => ("/api/sessions", new[] { "DELETE", "PUT" }),
            1 => ($"/api/sessions/{HostileBodies.Target}", new[] { "DELETE", "POST", "PUT" }),
            2 => ($"/api/sessions/{HostileBodies.Target}/usage", new[] { "GET", "DELETE", "PATCH" }),
            _ => ("/api/summary", new[] { "POST", "DELETE", "PATCH" }),
        };
        return new RawInput("method not allowed", Request(wrong[rng.Next(wrong.Length)], path, Host, body: "{}"), 405);
    }

    private static RawInput BareLineFeeds(Random rng)
    {
        var (method, path) = rng.Next(3) == 0 ? ("GET", "/socket/websocket?vsn=2.0.0") : AnyEndpoint(rng);
        var text = Encoding.UTF8.GetString(Request(method, path, Host, body: method == "GET" ? "" : "{}"));
        var head = text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var lines = head.Split("\r\n");
        var bare = rng.Next(lines.Length); // one line, or every line, ends in a bare LF
        var rebuilt = rng.Next(2) == 0
            ? string.Join("\n", lines) + "\n\n"
            : string.Concat(lines.Select((l, i) => l + (i == bare ? "\n" : "\r\n"))) + "\r\n";
        return new RawInput("bare LF", Encoding.UTF8.GetBytes(rebuilt + text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]), 400);
    }

    private static RawInput Unfinished(Random rng)
    {
        var full = $"GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: {Host}\r\nUpgrade: websocket\r\n";
        return new RawInput("head never finished", Encoding.UTF8.GetBytes(full[..rng.Next(0, full.Length)]), 408) { Wait = true };
    }

    /// <summary>
    /// <c>%00</c> in the path of any endpoint (issue 30): Kestrel refuses it before any application code runs, so the
    /// connection level answers it, with a problem. Each raw request is a connection's first.
    /// </summary>
    private static RawInput NulInPath(Random rng)
    {
        var (method, path) = rng.Next(4) == 0 ? ("GET", "/socket/websocket?vsn=2.0.0") : AnyEndpoint(rng);
        var q = path.IndexOf('?', StringComparison.Ordinal);
        var (bare, query) = q < 0 ? (path, "") : (path[..q], path[q..]);
        var at = rng.Next(1, bare.Length + 1);
        var nul = rng.Next(2) == 0 ? "%00" : "%00" + Word(rng, rng.Next(0, 4));
        var target = bare[..at] + nul + bare[at..] + query;
        return new RawInput("%00 in the path", Request(method, target, Host, body: method == "GET" ? "" : "{}"), 400) { Problem = true };
    }

    /// <summary>Where Switchboard answers as Phoenix does (issue 30): an empty <c>vsn</c>, and long-poll methods it does not serve.</summary>
    private static RawInput PhoenixEdge(Random rng, string token) => rng.Next(3) switch
    {
        0 => new RawInput("empty vsn on long-poll", Request("GET", rng.Next(2) == 0 ? "/socket/longpoll?vsn=" : "/socket/longpoll?vsn=2.0.0&vsn=", Host), 200)
        {
            ExpectedLongPollStatus = 403,
        },
        1 => new RawInput("empty vsn on the socket", Encoding.UTF8.GetBytes(
            $"GET /socket/websocket?vsn= HTTP/1.1\r\nHost: {Host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {Secured.ReadKey}\r\n\r\n"), 403),
        _ => new RawInput("long-poll method Phoenix refuses", Request(new[] { "PUT", "DELETE", "PATCH" }[rng.Next(3)],
            $"/socket/longpoll?vsn=2.0.0&token={Uri.EscapeDataString(token)}", Host, body: "{}"), 400),
    };

    private static RawInput LongPollLine(Random rng, string token)
    {
        var join = "[\"1\",\"1\",\"sessions\",\"phx_join\",{}]";
        byte[] bad = rng.Next(4) switch
        {
            0 => [.. Encoding.UTF8.GetBytes("[null,\"2\",\"phoenix\",\"heartbeat\",{\"s\":\""), .. new[] { (byte)0xC3, (byte)0x28 }, .. "\"}]"u8],
            1 => Encoding.UTF8.GetBytes($"[null,\"2\",\"{HostileFrames.Surrogate(rng)}\",\"heartbeat\",{{}}]"),
            2 => Encoding.UTF8.GetBytes($"[null,\"2{HostileFrames.Surrogate(rng)}\",\"phoenix\",\"heartbeat\",{{}}]"), // a ref is echoed: it must be text too
            _ => Encoding.UTF8.GetBytes($"[\"{HostileFrames.Surrogate(rng)}\",\"2\",\"phoenix\",\"heartbeat\",{{}}]"),
        };
        byte[] body = [.. Encoding.UTF8.GetBytes(join + "\n"), .. bad];
        var head = Encoding.UTF8.GetBytes($"POST /socket/longpoll?vsn=2.0.0&token={Uri.EscapeDataString(token)} HTTP/1.1\r\nHost: {Host}\r\n" +
                                          $"Content-Type: application/x-ndjson\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        return new RawInput("long-poll line not text", [.. head, .. body], 200) { ExpectedLongPollStatus = 400 };
    }

    private const string Letters = "abcdefghijklmnopqrstuvwxyz0123456789";

    private static string Word(Random rng, int length) => string.Create(length, rng, (span, r) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = Letters[r.Next(Letters.Length)];
        }
    });
}

using System.Text;

namespace Switchboard.FunctionalTests.Security.Hostile;

/// <summary>
/// One hostile HTTP request and its documented answer: a problem+json status, or for <c>/api/batch</c> a 200 whose every
/// result is a problem. <see cref="Authorization"/> null means the write key is sent.
/// </summary>
internal sealed record BodyInput(string Kind, HttpMethod Method, string Path, byte[] Body, int ExpectedStatus)
{
    public string? Authorization { get; init; }

    /// <summary>For batches: each operation must come back with this status.</summary>
    public int? ExpectedResultStatus { get; init; }

    public override string ToString() => $"{Kind}: {Method} {Path} ({Body.Length} bytes)";
}

/// <summary>
/// Generates request bodies from a seed, each invalid by construction (malformed JSON, invalid UTF-8, wrong top-level
/// type, an unknown field, a wrong type, a value over its limit, nesting past 64, an oversized body, a bad credential),
/// so none may change anything.
/// </summary>
internal static class HostileBodies
{
    /// <summary>The session the PATCH, usage and terminate cases aim at; it must stay untouched by them.</summary>
    public const string Target = "steady";

    private static readonly (HttpMethod Method, string Path, string[] Fields)[] Endpoints =
    [
        (HttpMethod.Post, "/api/sessions", ["id", "name", "state", "labels", "metadata", "error_message", "input_tokens", "output_tokens", "cost_usd", "tasks_running", "lease_seconds"]),
        (HttpMethod.Patch, $"/api/sessions/{Target}", ["state", "name", "labels", "metadata", "error_message", "tasks_running", "lease_seconds", "expected_version"]),
        (HttpMethod.Post, $"/api/sessions/{Target}/usage", ["input_tokens", "output_tokens", "cost_usd"]),
        (HttpMethod.Post, $"/api/sessions/{Target}/terminate", ["reason", "expected_version"]),
        (HttpMethod.Post, "/api/tokens", ["topics", "labels", "ttl_seconds"]),
    ];

    public static List<BodyInput> Generate(Random rng, int count, long maxBodyBytes)
    {
        var inputs = new List<BodyInput>(count);
        for (var i = 0; i < count; i++)
        {
            var (method, path, fields) = Endpoints[rng.Next(Endpoints.Length)];
            var pick = rng.Next(100);
            inputs.Add(pick switch
            {
                < 12 => Bad("malformed JSON", method, path, Malformed(rng, fields)),
                < 18 => Bad("invalid UTF-8", method, path, InvalidUtf8(rng, fields)),
                < 23 => Bad("not an object", method, path, Encoding.UTF8.GetBytes(new[] { "[]", "[{}]", "\"text\"", "42", "true", "null" }[rng.Next(6)])),
                < 31 => Bad("unknown field", method, path, Json($"\"x_{Word(rng, 6)}\":{Value(rng)}")),
                < 43 => Bad("wrong type", method, path, WrongType(rng, path)),
                < 52 => Bad("over a limit", method, path, OverLimit(rng, path)),
                < 56 => Bad("nesting past 64", method, path, Deep(rng, fields)),
                < 58 => new BodyInput("body over the limit", method, path, Huge(rng, maxBodyBytes), 413),
                < 68 => Bad("lone surrogate", method, path, LoneSurrogate(rng, fields)),
                < 78 => Bad("numeric boundary", method, path, NumericBoundary(rng, path)),
                < 90 => Batch(rng),
                _ => BadCredential(rng, method, path),
            });
        }

        return inputs;
    }

    private static BodyInput Bad(string kind, HttpMethod method, string path, byte[] body) => new(kind, method, path, body, 400);

    private static byte[] Json(string members) => Encoding.UTF8.GetBytes("{" + members + "}");

    private static byte[] Malformed(Random rng, string[] fields)
    {
        var valid = $"{{\"{fields[rng.Next(fields.Length)]}\":\"{Word(rng, 8)}\",\"{fields[rng.Next(fields.Length)]}\":{rng.Next(100)}}}";
        var text = rng.Next(6) switch
        {
            0 => valid[..rng.Next(1, valid.Length)], // a strict prefix of an object is never valid
            1 => valid.Replace(":", "", StringComparison.Ordinal),
            2 => valid.Replace('"', '\''),
            3 => valid[..^1] + ",}",
            4 => "{" + Word(rng, rng.Next(1, 30)) + "}",
            _ => "{\"name\":NaN}",
        };
        return Encoding.UTF8.GetBytes(text);
    }

    private static readonly byte[][] BadUtf8 = [[0xC3, 0x28], [0xFF, 0xFE], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80]];

    private static byte[] InvalidUtf8(Random rng, string[] fields) =>
        [.. Encoding.UTF8.GetBytes($"{{\"{fields[0]}\":\"{Word(rng, 5)}"), .. BadUtf8[rng.Next(BadUtf8.Length)], .. "\"}"u8.ToArray()];

    /// <summary>A known field with a value of the wrong JSON type.</summary>
    private static byte[] WrongType(Random rng, string path)
    {
        string[] strings = ["5", "true", "[\"a\"]", "{\"a\":1}"];
        string[] integers = ["\"12\"", "1.5", "true", "[1]", "{}", "1e3", "99999999999999999999"];
        string[] objects = ["\"team=core\"", "5", "[]", "true"];
        var (field, options) = path switch
        {
            "/api/sessions" => rng.Next(8) switch
            {
                0 => ("id", strings),
                1 => ("name", strings),
                2 => ("state", strings),
                3 => ("labels", objects),
                4 => ("metadata", objects),
                5 => ("input_tokens", integers),
                6 => ("tasks_running", integers),
                _ => ("lease_seconds", integers),
            },
            "/api/tokens" => rng.Next(3) switch
            {
                0 => ("topics", new[] { "\"sessions\"", "5", "{}", "[1]", "[null]" }),
                1 => ("labels", objects),
                _ => ("ttl_seconds", integers),
            },
            _ when path.EndsWith("/usage", StringComparison.Ordinal) => (rng.Next(2) == 0 ? "input_tokens" : "output_tokens", integers),
            _ when path.EndsWith("/terminate", StringComparison.Ordinal) => rng.Next(2) == 0 ? ("reason", strings) : ("expected_version", integers),
            _ => rng.Next(4) switch
            {
                0 => ("state", strings),
                1 => ("labels", objects),
                2 => ("tasks_running", integers),
                _ => ("expected_version", integers),
            },
        };
        return Json($"\"{field}\":{options[rng.Next(options.Length)]}");
    }

    /// <summary>A lone surrogate escape in a string value, a label, nested metadata or a field name: 400 naming where.</summary>
    private static byte[] LoneSurrogate(Random rng, string[] fields)
    {
        var bad = Word(rng, rng.Next(0, 6)) + HostileFrames.Surrogate(rng) + Word(rng, rng.Next(0, 6));
        var field = fields[rng.Next(fields.Length)];
        return Json(rng.Next(5) switch
        {
            0 => $"\"{field}\":\"{bad}\"",
            1 => $"\"labels\":{{\"team\":\"{bad}\"}}",
            2 => $"\"metadata\":{{\"a\":[1,{{\"b\":\"{bad}\"}}]}}",
            3 => $"\"{bad}\":1",
            _ => $"\"labels\":{{\"{bad}\":\"v\"}}",
        });
    }

    /// <summary>
    /// A number at or past a boundary its field cannot hold: past ±2^63, negative, fractional, an exponent out of range,
    /// a decimal of more than 28 digits, or token counts whose sum overflows. Valid boundaries (2^53+1) would change state,
    /// so the summary tests cover those.
    /// </summary>
    private static byte[] NumericBoundary(Random rng, string path)
    {
        string[] integers = ["9223372036854775808", "-9223372036854775809", "18446744073709551616", "-1", "1e400", "1.5", "-0.5",
            "12345678901234567890123456789012", "1.2345678901234567890123456789012", "9.3e18"];
        string[] costs = ["-0.01", "1000000000.01", "1e400", "79228162514264337593543950336", "123456789012345678901234567890.5"];
        string Pick(string[] options) => options[rng.Next(options.Length)];
        var overflowingSum = $"\"input_tokens\":{long.MaxValue - rng.Next(0, 3)},\"output_tokens\":{rng.Next(3, 1000)}";
        return Json(path switch
        {
            "/api/sessions" => rng.Next(6) switch
            {
                0 => overflowingSum,
                1 => $"\"cost_usd\":{Pick(costs)}",
                2 => $"\"tasks_running\":{Pick(integers)}",
                3 => $"\"lease_seconds\":{Pick([.. integers, "0", "86401", "2147483648"])}",
                _ => $"\"{(rng.Next(2) == 0 ? "input_tokens" : "output_tokens")}\":{Pick(integers)}",
            },
            "/api/tokens" => $"\"ttl_seconds\":{Pick([.. integers, "0"])}",
            _ when path.EndsWith("/usage", StringComparison.Ordinal) => rng.Next(3) switch
            {
                0 => overflowingSum,
                1 => $"\"cost_usd\":{Pick(costs)}",
                _ => $"\"input_tokens\":{Pick(integers)}",
            },
            _ when path.EndsWith("/terminate", StringComparison.Ordinal) => $"\"expected_version\":{Pick([.. integers, "0"])}",
            _ => rng.Next(3) switch
            {
                0 => $"\"tasks_running\":{Pick(integers)}",
                1 => $"\"lease_seconds\":{Pick([.. integers, "0", "86401"])}",
                _ => $"\"expected_version\":{Pick([.. integers, "0"])}",
            },
        });
    }

    /// <summary>A field over its documented limit (or otherwise out of range), in a body under the size limit.</summary>
    private static byte[] OverLimit(Random rng, string path)
    {
        if (path == "/api/tokens")
        {
            return Json(rng.Next(4) switch
            {
                0 => $"\"ttl_seconds\":{rng.Next(86_401, int.MaxValue)}",
                1 => "\"topics\":[" + string.Join(',', Enumerable.Repeat("\"sessions\"", rng.Next(101, 500))) + "]",
                2 => $"\"topics\":[\"{DeadPatterns[rng.Next(DeadPatterns.Length)]}\"]",
                _ => $"\"topics\":[\"{new string('s', rng.Next(201, 5000))}\"]",
            });
        }

        if (path.EndsWith("/usage", StringComparison.Ordinal))
        {
            return Json($"\"input_tokens\":-{rng.Next(1, 1_000_000)}");
        }

        if (path.EndsWith("/terminate", StringComparison.Ordinal))
        {
            return Json($"\"reason\":\"{new string('r', rng.Next(1025, 100_000))}\"");
        }

        var create = path == "/api/sessions";
        return Json(rng.Next(7) switch
        {
            // Counted in UTF-8 bytes (4 each), not in escapes: over 16 KiB from 4,096 emoji on (issue 30).
            6 => $"\"metadata\":{{\"k\":\"{string.Concat(Enumerable.Repeat("\U0001F600", rng.Next(4_096, 20_000)))}\"}}",
            0 => $"\"name\":\"{new string('n', rng.Next(201, 500_000))}\"",
            1 => $"\"error_message\":\"{new string('e', rng.Next(4097, 100_000))}\"",
            2 => "\"labels\":{" + string.Join(',', Enumerable.Range(0, rng.Next(33, 200)).Select(i => $"\"k{i}\":\"v\"")) + "}",
            3 => $"\"labels\":{{\"team\":\"{new string('v', rng.Next(257, 10_000))}\"}}",
            4 => $"\"metadata\":{{\"blob\":\"{new string('m', rng.Next(17 * 1024, 200_000))}\"}}",
            _ => create ? $"\"id\":\"{new string('i', rng.Next(129, 10_000))}\"" : $"\"tasks_running\":-{rng.Next(1, 100)}",
        });
    }

    /// <summary>Topic patterns a subscriber token may not carry: no topic can ever match them (issue 30).</summary>
    private static readonly string[] DeadPatterns = ["a", "sess", "session", "summ", "session:", "users", "sessions:x", "alert", "x*", "sesions"];

    private static byte[] Deep(Random rng, string[] fields)
    {
        var depth = rng.Next(65, 20_000);
        return Encoding.UTF8.GetBytes($"{{\"{fields[0]}\":" + new string('[', depth) + new string(']', depth) + "}");
    }

    private static byte[] Huge(Random rng, long maxBodyBytes)
    {
        var size = (int)maxBodyBytes + rng.Next(1, 256 * 1024);
        return Encoding.UTF8.GetBytes("{\"name\":\"" + new string('h', size) + "\"}");
    }

    /// <summary>A batch whose every operation is invalid: answered 200, each result a 400, nothing applied.</summary>
    private static BodyInput Batch(Random rng)
    {
        string[] ops =
        [
            "{\"op\":\"create\",\"id\":5}",
            "{\"op\":\"explode\",\"id\":\"a\"}",
            "{\"op\":\"update\"}",
            $"{{\"op\":\"update\",\"id\":\"{Target}\",\"state\":\"sleeping\"}}",
            $"{{\"op\":\"usage\",\"id\":\"{Target}\",\"input_tokens\":-1}}",
            $"{{\"op\":\"heartbeat\",\"id\":\"{Target}\",\"x_{Word(rng, 4)}\":1}}",
            "7",
            $"{{\"op\":\"create\",\"name\":\"{new string('n', 300)}\"}}",
            $"{{\"op\":\"create\",\"name\":\"{HostileFrames.Surrogate(rng)}\"}}",
            $"{{\"op\":\"update\",\"id\":\"{Target}\",\"labels\":{{\"t\":\"{HostileFrames.Surrogate(rng)}\"}}}}",
            $"{{\"op\":\"usage\",\"id\":\"{Target}\",\"input_tokens\":{long.MaxValue},\"output_tokens\":1}}",
        ];
        var chosen = Enumerable.Range(0, rng.Next(1, 30)).Select(_ => ops[rng.Next(ops.Length)]);
        return new BodyInput("batch of invalid operations", HttpMethod.Post, "/api/batch",
            Encoding.UTF8.GetBytes("{\"operations\":[" + string.Join(',', chosen) + "]}"), 200) { ExpectedResultStatus = 400 };
    }

    private static BodyInput BadCredential(Random rng, HttpMethod method, string path)
    {
        var (authorization, status) = rng.Next(5) switch
        {
            0 => ("", 401),
            1 => ("Bearer " + Word(rng, rng.Next(1, 4000)), 401),
            2 => ("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Word(rng, 20))), 401),
            // A read key may mint tokens: it reaches the body there, and this body's field is unknown to that endpoint.
            3 => ("Bearer " + Secured.ReadKey, path == "/api/tokens" ? 400 : 403),
            _ => ("Bearer" + new string(' ', rng.Next(1, 50)), 401),
        };
        var body = Json($"\"name\":\"{Word(rng, 10)}\"");
        return new BodyInput("bad credential", method, path, body, status) { Authorization = authorization };
    }

    private static string Value(Random rng) => rng.Next(5) switch
    {
        0 => "1",
        1 => "\"x\"",
        2 => "null",
        3 => "[]",
        _ => "{}",
    };

    private const string Letters = "abcdefghijklmnopqrstuvwxyz0123456789";

    private static string Word(Random rng, int length) => string.Create(length, rng, (span, r) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = Letters[r.Next(Letters.Length)];
        }
    });
}

using System.Text;

namespace Switchboard.FunctionalTests.Security.Hostile;

/// <summary>
/// One hostile WebSocket input and its documented answer: a close code (the input then gets a connection of its own),
/// or an error reply with a reason (sent on a shared, long-lived connection, matched by its ref).
/// </summary>
internal sealed record FrameInput(string Kind, byte Opcode, byte[] Payload)
{
    public bool Fin { get; init; } = true;

    public bool Masked { get; init; } = true;

    public byte Rsv { get; init; }

    /// <summary>A second frame sent right after the first (fragmentation cases).</summary>
    public (byte Opcode, byte[] Payload, bool Fin)? Then { get; init; }

    /// <summary>How many times the second frame (or, without one, the first) is sent: floods.</summary>
    public int Repeat { get; init; } = 1;

    public ushort? ExpectedClose { get; init; }

    public string? ExpectedReason { get; init; }

    public string? Ref { get; init; }

    public override string ToString() => $"{Kind} ({Payload.Length} bytes)";
}

/// <summary>
/// Generates malformed and hostile Phoenix frames from a seed. Every input is invalid by construction, so its expected
/// answer is known without asking the server: 1003 for anything that is not a V2 message, 1007 for bad UTF-8, 1009 when
/// too big, 1002 for WebSocket protocol violations, and error replies for well-formed messages the server must refuse.
/// </summary>
internal static class HostileFrames
{
    public const byte Text = 0x1;
    public const byte Binary = 0x2;

    /// <summary>The token used by the fuzz covers these; anything else is refused as unauthorized.</summary>
    public static readonly string[] TokenTopics = ["sessions", "session:fz-*"];

    public static List<FrameInput> Generate(Random rng, int count, int maxFrameBytes)
    {
        var inputs = new List<FrameInput>(count);
        for (var i = 0; i < count; i++)
        {
            var pick = rng.Next(100);
            inputs.Add(pick switch
            {
                < 18 => Truncated(rng),
                < 24 => NotAnArray(rng),
                < 30 => WrongArity(rng),
                < 38 => WrongTypes(rng),
                < 42 => DeepNesting(rng),
                < 46 => BadBinary(rng),
                < 54 => InvalidUtf8(rng),
                < 58 => TooBig(rng, maxFrameBytes),
                < 64 => ProtocolViolation(rng),
                < 68 => LoneSurrogate(rng),
                < 74 => CloseFrame(rng),
                _ => Refused(rng, i),
            });
        }

        return inputs;
    }

    private static FrameInput Close(string kind, string text, ushort code) => new(kind, Text, Encoding.UTF8.GetBytes(text)) { ExpectedClose = code };

    /// <summary>A valid V2 frame with random refs, topic, event and params, as the source of mangled ones.</summary>
    public static string ValidFrame(Random rng)
    {
        var topics = new[] { "sessions", "summary", "session:fz-" + rng.Next(1000), "phoenix" };
        var events = new[] { "phx_join", "phx_leave", "heartbeat", "ping", "shout" };
        var payload = rng.Next(4) switch
        {
            0 => "{}",
            1 => $"{{\"since\":{rng.Next(1_000_000)},\"epoch\":\"{Word(rng, 16)}\"}}",
            2 => $"{{\"labels\":{{\"team\":\"{Word(rng, 8)}\"}},\"limit\":{rng.Next(1000)}}}",
            _ => $"{{\"viewer\":{{\"name\":\"{Word(rng, 12)}\"}}}}",
        };
        var joinRef = rng.Next(3) == 0 ? "null" : $"\"{rng.Next(1000)}\"";
        return $"[{joinRef},\"{rng.Next(1000)}\",\"{topics[rng.Next(topics.Length)]}\",\"{events[rng.Next(events.Length)]}\",{payload}]";
    }

    /// <summary>A strict prefix of an array is never valid JSON.</summary>
    private static FrameInput Truncated(Random rng)
    {
        var text = ValidFrame(rng);
        return Close("truncated JSON", text[..rng.Next(1, text.Length)], 1003);
    }

    private static FrameInput NotAnArray(Random rng) => Close("JSON that is not an array", rng.Next(6) switch
    {
        0 => "{\"topic\":\"sessions\",\"event\":\"phx_join\"}",
        1 => $"\"{Word(rng, rng.Next(0, 200))}\"",
        2 => rng.Next(-1_000_000, 1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        3 => rng.Next(2) == 0 ? "true" : "null",
        4 => "{}",
        _ => "1e308",
    }, 1003);

    private static FrameInput WrongArity(Random rng)
    {
        // Too few elements is malformed; elements after the payload are ignored, as Phoenix does.
        var elements = new[] { "null", "\"1\"", "\"sessions\"", "\"phx_join\"" };
        var n = rng.Next(5);
        return Close($"{n}-element array", "[" + string.Join(',', elements.Take(n)) + "]", 1003);
    }

    private static FrameInput WrongTypes(Random rng)
    {
        var parts = new[] { "null", "\"1\"", "\"sessions\"", "\"phx_join\"", "{}" };
        var slot = rng.Next(5);
        var wrong = slot switch
        {
            0 or 1 => new[] { "{}", "[]", "[1]", "{\"r\":1}" }, // any scalar is a ref
            2 or 3 => new[] { "null", "5", "false", "[\"x\"]", "{\"t\":1}" },
            _ => new[] { "[]", "\"payload\"", "42", "true" }, // null counts as {}
        };
        parts[slot] = wrong[rng.Next(wrong.Length)];
        return Close($"wrong type in slot {slot}", "[" + string.Join(',', parts) + "]", 1003);
    }

    /// <summary>Nesting beyond the parser's depth limit (32), up to thousands of levels.</summary>
    private static FrameInput DeepNesting(Random rng)
    {
        var depth = rng.Next(32, 5000);
        var array = rng.Next(2) == 0;
        var inner = array ? new string('[', depth) + new string(']', depth)
            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
        return Close("deep nesting", $"[null,\"1\",\"sessions\",\"phx_join\",{{\"labels\":{inner}}}]", 1003);
    }

    /// <summary>Binary frames that are not V2 pushes: another kind byte, too short, or field lengths past the end.</summary>
    private static FrameInput BadBinary(Random rng)
    {
        byte[] bytes = rng.Next(3) switch
        {
            0 => [(byte)rng.Next(1, 256), 1, 1, 7, 4, .. Encoding.ASCII.GetBytes("12summaryblob")],
            1 => [.. Enumerable.Range(0, rng.Next(0, 5)).Select(_ => (byte)0)],
            _ => [0, 200, 200, 200, 200, .. Encoding.ASCII.GetBytes("short")],
        };
        return new FrameInput("undecodable binary frame", Binary, bytes) { ExpectedClose = 1003 };
    }

    private static readonly byte[][] BadUtf8 =
    [
        [0xC3, 0x28], [0xFF], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98],
    ];

    private static FrameInput InvalidUtf8(Random rng)
    {
        var before = Encoding.UTF8.GetBytes($"[null,\"1\",\"phoenix\",\"heartbeat\",{{\"s\":\"{Word(rng, rng.Next(0, 50))}");
        var after = "\"}]"u8.ToArray();
        return new FrameInput("invalid UTF-8", Text, [.. before, .. BadUtf8[rng.Next(BadUtf8.Length)], .. after]) { ExpectedClose = 1007 };
    }

    private static FrameInput TooBig(Random rng, int maxFrameBytes)
    {
        var size = rng.Next(maxFrameBytes + 1, maxFrameBytes * 3);
        if (rng.Next(2) == 0)
        {
            var huge = "[null,\"1\",\"phoenix\",\"heartbeat\",{\"pad\":\"" + new string('x', size) + "\"}]";
            return Close("huge string", huge, 1009);
        }

        // Fragments that only add up past the limit.
        var half = new byte[size / 2 + 1];
        return new FrameInput("fragments past the limit", Text, half) { Fin = false, Then = (0x0, half, true), ExpectedClose = 1009 };
    }

    private static FrameInput ProtocolViolation(Random rng)
    {
        var text = Encoding.UTF8.GetBytes("[null,\"1\",\"phoenix\",\"heartbeat\",{}]");
        return rng.Next(6) switch
        {
            0 => new FrameInput("unmasked frame", Text, text) { Masked = false, ExpectedClose = 1002 },
            1 => new FrameInput("reserved bits", Text, text) { Rsv = (byte)rng.Next(1, 8), ExpectedClose = 1002 },
            2 => new FrameInput("unknown opcode", new byte[] { 3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF }[rng.Next(10)], text) { ExpectedClose = 1002 },
            3 => new FrameInput("oversized ping", 0x9, new byte[rng.Next(126, 300)]) { ExpectedClose = 1002 },
            4 => new FrameInput("fragmented ping", 0x9, text) { Fin = false, ExpectedClose = 1002 },
            _ => new FrameInput("continuation without a message", 0x0, text) { ExpectedClose = 1002 },
        };
    }

    /// <summary>A lone surrogate escape (valid UTF-8, but not text) in the topic or the event: 1007.</summary>
    private static FrameInput LoneSurrogate(Random rng)
    {
        var parts = new[] { "null", "\"1\"", "\"sessions\"", "\"phx_join\"" };
        var slot = rng.Next(0, 4); // the refs too: they are echoed, so one that is not text is refused like a topic
        parts[slot] = "\"" + Word(rng, rng.Next(0, 8)) + Surrogate(rng) + "\"";
        return Close($"lone surrogate in slot {slot}", "[" + string.Join(',', parts) + ",{}]", 1007);
    }

    /// <summary>Escapes that are no text: a lone high or low surrogate, or a pair in the wrong order.</summary>
    public static string Surrogate(Random rng) => rng.Next(3) switch
    {
        0 => $"\\u{rng.Next(0xD800, 0xDC00):x4}",
        1 => $"\\u{rng.Next(0xDC00, 0xE000):X4}",
        _ => $"\\u{rng.Next(0xDC00, 0xE000):x4}\\u{rng.Next(0xD800, 0xDC00):x4}",
    };

    /// <summary>A close frame with a code a peer may not send (1002), or a valid code with a reason that is not UTF-8 (1007).</summary>
    private static FrameInput CloseFrame(Random rng)
    {
        if (rng.Next(4) == 0)
        {
            return new FrameInput("close reason not UTF-8", 0x8, [0x03, 0xE8, .. BadUtf8[rng.Next(BadUtf8.Length)]]) { ExpectedClose = 1007 };
        }

        var reserved = new[] { 0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535, rng.Next(0, 1000), rng.Next(1016, 3000), rng.Next(5000, 65536) };
        var code = reserved[rng.Next(reserved.Length)];
        return new FrameInput($"reserved close code {code}", 0x8, [(byte)(code >> 8), (byte)code, .. "bye"u8]) { ExpectedClose = 1002 };
    }

    /// <summary>
    /// Frames that are not messages, sent faster than the message rate: unsolicited pongs or empty fragments (1008).
    /// Run against a server with the default rate, unlike the other families.
    /// </summary>
    public static FrameInput Flood(Random rng) => rng.Next(2) == 0
        ? new FrameInput("pong flood", 0xA, []) { Repeat = 600, ExpectedClose = 1008 }
        : new FrameInput("empty fragment flood", Text, []) { Fin = false, Then = (0x0, [], false), Repeat = 600, ExpectedClose = 1008 };

    /// <summary>Well-formed V2 messages the server must refuse with an error reply, keeping the connection.</summary>
    private static FrameInput Refused(Random rng, int n)
    {
        var r = "fz" + n;
        string Frame(string? joinRef, string topic, string @event, string payload) =>
            $"[{(joinRef is null ? "null" : $"\"{joinRef}\"")},\"{r}\",\"{topic}\",\"{@event}\",{payload}]";
        var (kind, text, reason) = rng.Next(5) switch
        {
            0 => ("unrouted topic", Frame(r, Unroutable(rng), "phx_join", "{}"), "unmatched topic"),
            1 => ("invalid join params", Frame(r, "sessions", "phx_join", BadParams(rng)), "invalid join params"),
            2 => ("event on a topic not joined", Frame(null, "session:fz-never-" + n, Word(rng, 10), "{\"x\":1}"), "unmatched topic"),
            3 => ("topic outside the token", Frame(r, rng.Next(2) == 0 ? "summary" : "session:other-" + n, "phx_join", "{}"), "unauthorized"),
            _ => ("garbage access token", Frame(null, "phoenix", "access_token", $"{{\"token\":\"{Word(rng, rng.Next(0, 3000))}\"}}"), "unauthorized"),
        };
        return new FrameInput(kind, Text, Encoding.UTF8.GetBytes(text)) { ExpectedReason = reason, Ref = r };
    }

    private static string Unroutable(Random rng) => rng.Next(4) switch
    {
        0 => "session:" + new string('a', rng.Next(129, 5000)),
        1 => "session:has space " + rng.Next(),
        2 => Word(rng, rng.Next(1, 40)) + "!" + rng.Next(),
        _ => "sessions/" + Word(rng, 20),
    };

    private static string BadParams(Random rng) => rng.Next(10) switch
    {
        0 => "{\"since\":\"" + Word(rng, 5) + "\"}",
        1 => "{\"since\":-" + rng.Next(1, 1000) + "}",
        2 => "{\"since\":1.5}",
        3 => "{\"labels\":" + new[] { "5", "\"team\"", "[]", "true" }[rng.Next(4)] + "}",
        4 => "{\"labels\":{\"team\":" + rng.Next() + "}}",
        5 => "{\"labels\":{\"bad key!\":\"v\"}}",
        6 => "{\"limit\":" + new[] { "-1", "1001", "\"10\"", "2.5", "99999999999" }[rng.Next(5)] + "}",
        7 => "{\"viewer\":" + new[] { "5", "\"alice\"", "[]", "{}", "{\"name\":\"\"}" }[rng.Next(5)] + "}",
        8 => rng.Next(2) == 0 ? "{\"epoch\":" + rng.Next() + "}" : "{\"labels\":{\"team\":\"" + Surrogate(rng) + "\"}}",
        _ => "{\"viewer\":{\"name\":\"" + new string('v', rng.Next(101, 2000)) + "\"}}",
    };

    private const string Letters = "abcdefghijklmnopqrstuvwxyz0123456789-_";

    private static string Word(Random rng, int length) => string.Create(length, rng, (span, r) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = Letters[r.Next(Letters.Length)];
        }
    });
}

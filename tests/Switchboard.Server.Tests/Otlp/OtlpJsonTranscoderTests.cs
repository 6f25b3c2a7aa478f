using System.Text;
using Google.Protobuf;
using Switchboard.Otlp.Shapes;
using Switchboard.Server.Otlp;
using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Tests.Otlp;

/// <summary>
/// OTLP JSON read token by token (<c>Otlp/Json</c>) maps to exactly what the old decoder (<see cref="ObjectTreeJson"/>:
/// Google.Protobuf's parser, ids fixed, re-encoded) made of the same body, and refuses exactly the bodies it refused,
/// with a 400's message that says what and where. Both run side by side on every body.
/// </summary>
public sealed class OtlpJsonTranscoderTests
{
    public static TheoryData<string> Signals => new() { "traces", "logs", "metrics" };

    [Theory]
    [MemberData(nameof(Signals))]
    public void EveryJsonBodyTheSuitesSendMapsAsTheObjectTreeMappedIt(string signalName)
    {
        var signal = Enum.Parse<OtlpSignal>(signalName, ignoreCase: true);
        IMessage every = signal switch
        {
            OtlpSignal.Traces => WireRequests.Traces(),
            OtlpSignal.Logs => WireRequests.Logs(),
            _ => WireRequests.Metrics(),
        };
        Same(signal, OtlpShapes.Json(every)).StartsWith("refused", StringComparison.Ordinal).ShouldBeFalse();
        foreach (var shape in Enum.GetValues<OtlpShape>())
        {
            Same(signal, OtlpShapes.Json(OtlpShapes.Build(signal, shape, 16 << 10))).StartsWith("refused", StringComparison.Ordinal).ShouldBeFalse(shape.ToString());
        }

        foreach (var body in JsonBodies.Literal(signal))
        {
            Same(signal, Encoding.UTF8.GetBytes(body)).StartsWith("refused", StringComparison.Ordinal).ShouldBeFalse(body);
        }
    }

    [Theory]
    [MemberData(nameof(Signals))]
    public void HostileJsonIsAnsweredAsTheObjectTreeAnsweredIt(string signalName)
    {
        var signal = Enum.Parse<OtlpSignal>(signalName, ignoreCase: true);
        var (refused, differ) = (0, new List<string>());
        foreach (var body in JsonBodies.Hostile(signal))
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            var (old, now) = (Outcome(() => ObjectTreeJson.Decode(signal, bytes)), Outcome(() => OtlpCodec.Decode(signal, bytes, json: true)));
            refused += now.StartsWith("refused", StringComparison.Ordinal) ? 1 : 0;
            if (old != now)
            {
                differ.Add($"{Shorten(body)}\n  was {Shorten(old)}\n  now {Shorten(now)}");
            }
        }

        differ.ShouldBeEmpty(string.Join("\n", differ));

        refused.ShouldBeGreaterThan(10, "most hostile bodies are refused by both");
    }

    [Fact]
    public void AnEscapedLoneSurrogateBecomesTheReplacementCharacterAndAWholePairStays()
    {
        (string Json, string Expected)[] cases =
        [
            (@"a\ud800b", "a\ufffdb"), (@"\udc00\ud800", "\ufffd\ufffd"), (@"\ud83d\u0041", "\ufffdA"), (@"\ud83d\ude00", "\ud83d\ude00"),
            (@"\\ud800", @"\ud800"), (@"\\\ud800", "\\\ufffd"), (@"\n\t\""\u00e9\/", "\n\t\"\u00e9/"), (@"x\ud800", "x\ufffd"),
        ];
        foreach (var (json, expected) in cases)
        {
            var body = ("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"stringValue\":\"" + (json) + "\"}}]}]}]}");
            var request = OtlpCodec.Decode(OtlpSignal.Logs, Encoding.UTF8.GetBytes(body), json: true);
            var record = First(First(First(request.Reader, 1), 2), 2);
            WireLog.Read(record).Body!.Value.String.ShouldBe(expected, json);
            Same(OtlpSignal.Logs, Encoding.UTF8.GetBytes(body));
        }
    }

    [Fact]
    public void ARefusalSaysWhatWasWrongAndWhere()
    {
        Refusal(OtlpSignal.Traces, """{"resourceSpans":[{"scopeSpans":"no"}]}""").ShouldBe("ResourceSpan.scopeSpans at byte 32 should be an array, not a string.");
        Refusal(OtlpSignal.Logs, """{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"12x"}]}]}]}""").ShouldContain("LogRecord.timeUnixNano at byte 62");
        Refusal(OtlpSignal.Metrics, """{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{},"sum":{}}]}]}]}""").ShouldContain("Metric.sum at byte 67 is a second value of a oneof");
        Refusal(OtlpSignal.Traces, """{"resourceSpans":[""").ShouldContain("not well formed");

        // Refused by the transcoder itself, before its recursion goes deeper (the wire reader would refuse it after).
        var deep = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":" + JsonBodies.Nested(3000) + "}]}]}]}";
        Refusal(OtlpSignal.Logs, deep).ShouldStartWith("messages are nested more than 100 objects deep");
    }

    /// <summary>The mapped result (or the refusal) of both decoders, which must agree; the new one's.</summary>
    private static string Same(OtlpSignal signal, byte[] body)
    {
        var old = Outcome(() => ObjectTreeJson.Decode(signal, body));
        var now = Outcome(() => OtlpCodec.Decode(signal, body, json: true));
        now.ShouldBe(old, Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300))));
        return now;
    }

    private static string Shorten(string text) => text.Length <= 400 ? text : text[..200] + " … " + text[^200..];

    private static string Outcome(Func<OtlpRequest> decode)
    {
        OtlpRequest request;
        try
        {
            request = decode();
        }
        catch (Exception ex) when (ex is OtlpWireException or InvalidProtocolBufferException or InvalidJsonException or FormatException or ArgumentException or OverflowException)
        {
            return "refused";
        }

        return WireEquivalenceTests.Describe(request);
    }

    private static ProtoReader First(ProtoReader reader, int field)
    {
        foreach (var message in reader.Messages(field))
        {
            return message;
        }

        throw new InvalidOperationException($"no field {field}");
    }

    private static string Refusal(OtlpSignal signal, string body) =>
        Should.Throw<OtlpWireException>(() => OtlpCodec.Decode(signal, Encoding.UTF8.GetBytes(body), json: true)).Message;
}

using System.Text;
using System.Text.Json;
using Switchboard.Core.Streams;

namespace Switchboard.Core.Tests.Streams;

/// <summary>JSON mode: one level of arrays is flattened into messages, kept byte for byte, and any run of whole messages reads back as an array.</summary>
public sealed class JsonFramingTests
{
    private static StreamPayload Frame(string body, bool forAppend = true) => JsonFraming.Frame(Encoding.UTF8.GetBytes(body), forAppend);

    private static string Text(StreamPayload payload) => Encoding.UTF8.GetString(payload.Bytes.Span);

    [Fact]
    public void AValueIsOneMessageAndAnArrayOneMessagePerElement()
    {
        Text(Frame("""{"a": 1}""")).ShouldBe("""{"a": 1},""");
        Frame("""{"a": 1}""").Messages.ShouldBe(1);
        var batch = Frame("""[ {"a":1}, 2 ,"x",null,[1,2] ]""");
        batch.Messages.ShouldBe(5);
        Text(batch).ShouldBe("""{"a":1},2,"x",null,[1,2],""");
        Text(Frame("[[[1,2,3]]]")).ShouldBe("[[1,2,3]],", "only one level is flattened");
    }

    [Fact]
    public void AnEmptyArrayIsRefusedOnAppendButCreatesAnEmptyStream()
    {
        Frame("[]").Problem.ShouldNotBeNull().ShouldContain("empty JSON array");
        Frame(" [ ] ", forAppend: false).ShouldBe(StreamPayload.Empty);
        Frame("", forAppend: false).ShouldBe(StreamPayload.Empty);
        Frame("   ").Problem.ShouldNotBeNull();
    }

    [Theory]
    [InlineData("{ invalid json }")]
    [InlineData("{\"a\":1} {\"b\":2}")]
    [InlineData("[1,2,]")]
    [InlineData("[1,2")]
    [InlineData("// c\n1")]
    [InlineData("\"\\uD800\"x")]
    public void InvalidJsonIsRefusedWithTheReason(string body) =>
        Frame(body).Problem.ShouldNotBeNull().ShouldStartWith("The body is not valid JSON");

    [Fact]
    public void ReadsWrapWholeMessagesInOneArray()
    {
        var first = Frame("""[{"n":1},{"n":2}]""").Bytes;
        var second = Frame("""{"n":3}""").Bytes;
        var wrapped = Encoding.UTF8.GetString(JsonFraming.Wrap([first, second]));
        wrapped.ShouldBe("""[{"n":1},{"n":2},{"n":3}]""");
        JsonDocument.Parse(wrapped).RootElement.GetArrayLength().ShouldBe(3);
        Encoding.UTF8.GetString(JsonFraming.Wrap([])).ShouldBe("[]");
    }

    [Fact]
    public void APrefixOfMessagesHasALengthAndNothingElseDoes()
    {
        var framed = Frame("""[{"a":"x,y"},[1,2],3]""").Bytes.Span;
        JsonFraming.PrefixLength(framed, 0).ShouldBe(0);
        JsonFraming.PrefixLength(framed, 1).ShouldBe("""{"a":"x,y"},""".Length);
        JsonFraming.PrefixLength(framed, 2).ShouldBe("""{"a":"x,y"},[1,2],""".Length);
        JsonFraming.PrefixLength(framed, 3).ShouldBe(framed.Length);
        JsonFraming.PrefixLength(framed, 4).ShouldBe(-1);
        JsonFraming.PrefixLength(framed[3..], 1).ShouldBe(-1, "a cut inside a message is no boundary");
    }

    [Theory]
    [InlineData(new byte[] { 0x22, 0x61, 0xFF, 0x22 }, "string")] // "a\xFF"
    [InlineData(new byte[] { 0x5B, 0x22, 0xC3, 0x22, 0x5D }, "string")] // ["\xC3"]: a sequence cut short
    [InlineData(new byte[] { 0x22, 0xED, 0xA0, 0x80, 0x22 }, "string")] // "\xED\xA0\x80": a surrogate encoded as UTF-8
    [InlineData(new byte[] { 0x7B, 0x22, 0x6B, 0xC0, 0xAF, 0x22, 0x3A, 0x31, 0x7D }, "property name")] // {"k\xC0\xAF":1}: overlong
    [InlineData(new byte[] { 0x5B, 0x31, 0x2C, 0x7B, 0x22, 0x61, 0x22, 0x3A, 0x5B, 0x22, 0xFE, 0x22, 0x5D, 0x7D, 0x5D }, "string")] // [1,{"a":["\xFE"]}]
    public void InvalidUtf8InAStringOrAPropertyNameIsRefused(byte[] body, string what)
    {
        var payload = JsonFraming.Frame(body, forAppend: true);
        payload.Problem.ShouldNotBeNull().ShouldStartWith("The body is not valid JSON");
        payload.Problem.ShouldContain($"the {what} at byte");
        payload.Problem.ShouldContain("not valid UTF-8");
        JsonFraming.Frame(body, forAppend: false).Problem.ShouldNotBeNull("a create's body is framed alike");
    }

    [Fact]
    public void ALoneSurrogateEscapeIsRefusedAndAPairIsKeptByteForByte()
    {
        (string Body, string Unit)[] lone =
        [
            ("\"\\ud800\"", "D800"), ("\"a\\uDC00b\"", "DC00"), ("[\"ok\", {\"\\ud83d\": 1}]", "D83D"), ("\"\\ud83d\\u0041\"", "D83D"),
            ("\"\\ud83d\\n\"", "D83D"), ("\"x\\ud83d\"", "D83D"), ("\"\\\\\\ud800\"", "D800"),
        ];
        foreach (var (body, unit) in lone)
        {
            Frame(body).Problem.ShouldNotBeNull(body).ShouldContain($"\\u{unit}, a lone surrogate");
        }

        // A pair, an escaped backslash before "u", and escapes of other characters are text.
        Text(Frame("\"\\ud83d\\ude00\"")).ShouldBe("\"\\ud83d\\ude00\",");
        Text(Frame("{\"\\uD83D\\uDE00\": \"\\\\ud800\"}")).ShouldBe("{\"\\uD83D\\uDE00\": \"\\\\ud800\"},");
        Text(Frame("[\"caf\u00e9 \ud83d\ude00\", \"\\u00e9\\n\\\"\\/\"]")).ShouldBe("\"caf\u00e9 \ud83d\ude00\",\"\\u00e9\\n\\\"\\/\",");
    }
}

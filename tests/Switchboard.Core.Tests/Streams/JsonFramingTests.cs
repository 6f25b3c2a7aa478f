using System.Text;
using System.Text.Json;
using Switchboard.Streams;

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
}

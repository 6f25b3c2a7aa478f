using System.Text;
using Switchboard.Core.Json;

namespace Switchboard.Core.Tests;

/// <summary>
/// <see cref="JsonBytes"/> keeps a thread's buffer and writer between writes: each write still gets exactly what its body
/// wrote, whatever a write before it or inside it did.
/// </summary>
public sealed class JsonBytesTests
{
    [Fact]
    public void AWriteInsideAWriteGetsABufferOfItsOwn()
    {
        var bytes = JsonBytes.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("inner", JsonBytes.WriteText(inner => inner.WriteStringValue("x")));
            w.WriteString("bytes", Encoding.UTF8.GetString(JsonBytes.Write(inner => inner.WriteNumberValue(7))));
            w.WriteEndObject();
        });

        Encoding.UTF8.GetString(bytes).ShouldBe("""{"inner":"\"x\"","bytes":"7"}""");
    }

    [Fact]
    public void AWriteThatThrowsHalfwayLeavesNothingForTheNext()
    {
        Should.Throw<InvalidOperationException>(() => JsonBytes.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("half", new string('a', 300));
            throw new InvalidOperationException("the body failed");
        }));

        JsonBytes.WriteText(w => w.WriteStringValue("next")).ShouldBe("\"next\"");
    }

    [Fact]
    public void EachWriteHoldsOnlyItsOwnBytesAfterALargerOne()
    {
        var large = JsonBytes.WriteText(w => w.WriteStringValue(new string('b', 100_000)));
        var small = JsonBytes.Write(w => w.WriteStringValue("s"));
        var afterSmall = JsonBytes.WriteText(w => w.WriteStringValue("t"));

        large.Length.ShouldBe(100_002);
        Encoding.UTF8.GetString(small).ShouldBe("\"s\"");
        afterSmall.ShouldBe("\"t\"");
    }

    [Fact]
    public void NonAsciiTextStaysUtf8NotEscaped()
    {
        JsonBytes.WriteText(w => w.WriteStringValue("é<")).ShouldBe("\"é<\"");
        JsonBytes.Write(w => w.WriteStringValue("é")).ShouldBe("\"é\""u8.ToArray());
    }
}

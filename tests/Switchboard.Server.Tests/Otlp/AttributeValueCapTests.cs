using System.Security.Cryptography;
using System.Text;
using Switchboard.Otlp.Proto.Common;
using Switchboard.Server.Otlp.Mapping;

namespace Switchboard.Server.Tests.Otlp;

/// <summary>
/// The mapping looks at no more than the first <see cref="TelemetryText.MaxValueLength"/> characters of a value (issue 55):
/// cleaning, parsing and deriving an id stop there, so a value of millions of NULs costs what 4,096 characters cost.
/// </summary>
public sealed class AttributeValueCapTests
{
    private const int Cap = TelemetryText.MaxValueLength;

    [Fact]
    public void CleaningStopsAtTheCapSoAValueOfNulsWithTextAfterThemIsEmpty()
    {
        TelemetryText.Clean(new string('\0', Cap) + "name", 256).ShouldBe("", "the name comes after the characters looked at");
        TelemetryText.Clean(new string('\0', 2_600_000) + "name", 256).ShouldBe("");
        TelemetryText.Clean(new string('\0', Cap - 4) + "name", 256).ShouldBe("name", "within the cap, as before");
        TelemetryText.Clean(new string('a', Cap + 10), Cap + 10).Length.ShouldBe(Cap, "a clean value is cut at the cap too");
        TelemetryText.Clean(new string('a', Cap - 1) + "\ud83d\ude00", Cap + 10).ShouldBe(new string('a', Cap - 1) + "\ufffd", "a pair cut by the cap is a lone surrogate");
    }

    [Fact]
    public void AnIdLongerThanTheCapIsTheDigestOfItsFirstCharactersAndAShorterOneOfAllOfThem()
    {
        var head = new string('a', Cap);
        SessionIdentity.FromSessionId(head + "b").ShouldBe(SessionIdentity.FromSessionId(head + "c"), "only the first 4,096 characters are hashed");
        SessionIdentity.FromSessionId(head + "b").ShouldBe("otel:s:h:" + Sha256Prefix(head));
        SessionIdentity.FromSessionId("x y").ShouldBe("otel:s:h:" + Sha256Prefix("x y"), "a short invalid id is hashed whole, as before");
        SessionIdentity.FromSessionId("abc").ShouldBe("otel:s:abc");
        SessionIdentity.FromConversation(new string('c', 200)).ShouldBe("otel:c:h:" + Sha256Prefix(new string('c', 200)), "too long to be an id");
    }

    [Fact]
    public void AStringLongerThanTheCapIsNoNumber()
    {
        var padded = Text(new string('0', Cap) + "7");
        Attributes.Integer(padded).ShouldBeNull();
        Attributes.Number(padded).ShouldBeNull();
        Attributes.Integer(Text(new string('0', Cap - 1) + "7")).ShouldBe(7, "within the cap, a number as before");
    }

    private static Switchboard.Server.Otlp.Wire.WireValue Text(string value) =>
        new(Switchboard.Server.Otlp.Wire.ValueKind.String, 0, 0, Encoding.UTF8.GetBytes(value));

    private static string Sha256Prefix(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)).AsSpan(0, 16));
}

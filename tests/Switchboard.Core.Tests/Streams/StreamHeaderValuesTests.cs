using Switchboard.Core.Streams;

namespace Switchboard.Core.Tests.Streams;

/// <summary>Header values are parsed strictly, and every refusal says what to send.</summary>
public sealed class StreamHeaderValuesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("3600", 3600L)]
    [InlineData("9007199254740991", 9007199254740991L)]
    public void PlainDecimalIsANumber(string value, long expected) =>
        StreamHeaderValues.NonNegative("X", value, ProducerRules.MaxNumber, out _).ShouldBe(expected);

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("01")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("1abc")]
    [InlineData(" 1")]
    [InlineData("9007199254740992")]
    [InlineData("99999999999999999999")]
    public void AnythingElseIsRefused(string value)
    {
        StreamHeaderValues.NonNegative("Producer-Seq", value, ProducerRules.MaxNumber, out var problem).ShouldBeNull();
        problem.ShouldNotBeNull().ShouldContain("Producer-Seq");
    }

    [Fact]
    public void ATtlIsAtLeastOneSecondAndAtMostTenYears()
    {
        StreamHeaderValues.Ttl("1", out _).ShouldBe(1);
        StreamHeaderValues.Ttl("0", out var zero).ShouldBeNull();
        zero.ShouldNotBeNull();
        StreamHeaderValues.Ttl("315360001", out var tooLong).ShouldBeNull();
        tooLong.ShouldNotBeNull();
    }

    [Theory]
    [InlineData("2026-11-21T11:00:00Z")]
    [InlineData("2026-11-21T11:00:00.123Z")]
    [InlineData("2026-11-21T12:00:00+01:00")]
    [InlineData("2026-11-21t11:00:00z")]
    public void AnRfc3339TimestampWithAZoneIsAnExpiry(string value) =>
        StreamHeaderValues.ExpiresAt(value, Now, out _).ShouldNotBeNull().ShouldBeGreaterThan(Now);

    [Theory]
    [InlineData("not-a-timestamp")]
    [InlineData("2026-11-21T11:00:00")]
    [InlineData("2026-11-21")]
    [InlineData("2026-11-21T09:00:00Z")]
    [InlineData("2046-11-21T09:00:00Z")]
    public void ATimestampWithoutAZoneInThePastOrTooFarIsRefused(string value)
    {
        StreamHeaderValues.ExpiresAt(value, Now, out var problem).ShouldBeNull();
        problem.ShouldNotBeNull().ShouldContain("Stream-Expires-At");
    }

    [Fact]
    public void OnlyTrueIsTrue()
    {
        StreamHeaderValues.IsTrue("true").ShouldBeTrue();
        StreamHeaderValues.IsTrue("TRUE").ShouldBeTrue();
        StreamHeaderValues.IsTrue("1").ShouldBeFalse();
        StreamHeaderValues.IsTrue("yes").ShouldBeFalse();
        StreamHeaderValues.IsTrue("").ShouldBeFalse();
        StreamHeaderValues.IsTrue(null).ShouldBeFalse();
    }
}

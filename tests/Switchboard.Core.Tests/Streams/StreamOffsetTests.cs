using Switchboard.Core.Streams;

namespace Switchboard.Core.Tests.Streams;

/// <summary>Offsets are opaque to clients but sort like the positions they name, and only minted ones parse.</summary>
public sealed class StreamOffsetTests
{
    [Fact]
    public void OffsetsSortLexicographicallyInStreamOrder()
    {
        long[] positions = [0, 1, 9, 10, 99, 100, 123_456_789, StreamOffset.MaxPosition];
        var offsets = positions.Select(StreamOffset.Format).ToList();
        offsets.ShouldBe(offsets.Order(StringComparer.Ordinal).ToList());
        offsets[0].ShouldBe("0000000000000000_0000000000000000");
        offsets[3].ShouldBe("0000000000000000_0000000000000010");
        offsets.ShouldAllBe(o => o.All(c => char.IsAsciiDigit(c) || c == '_'));
    }

    [Fact]
    public void AMintedOffsetParsesBackToItsPosition()
    {
        foreach (var position in new long[] { 0, 5, 1_000_000, StreamOffset.MaxPosition })
        {
            StreamOffset.TryParse(StreamOffset.Format(position), out var parsed).ShouldBeTrue();
            parsed.ShouldBe(position);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("now")]
    [InlineData("0,1")]
    [InlineData("0 1")]
    [InlineData("0000000000000000_000000000000001")]
    [InlineData("0000000000000000_00000000000000001")]
    [InlineData("0000000000000001_0000000000000000")]
    [InlineData("0000000000000000-0000000000000000")]
    [InlineData("0000000000000000_00000000000000+1")]
    [InlineData("0000000000000000_000000000000000\u0663")]
    [InlineData("../0000000000000000_0000000000000000")]
    public void AnythingElseIsNoOffset(string text) => StreamOffset.TryParse(text, out _).ShouldBeFalse();

    [Fact]
    public void AReadStartsAtTheBeginningTheTailOrAPosition()
    {
        ReadStart.TryParse("-1", out var beginning).ShouldBeTrue();
        beginning.Kind.ShouldBe(ReadStartKind.Beginning);
        ReadStart.TryParse("now", out var now).ShouldBeTrue();
        now.Kind.ShouldBe(ReadStartKind.Now);
        ReadStart.TryParse(StreamOffset.Format(42), out var at).ShouldBeTrue();
        at.ShouldBe(new ReadStart(ReadStartKind.Position, 42));
        ReadStart.TryParse("NOW", out _).ShouldBeFalse();
        ReadStart.TryParse("-2", out _).ShouldBeFalse();
    }
}

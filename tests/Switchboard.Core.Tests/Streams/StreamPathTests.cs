using Switchboard.Core.Streams;

namespace Switchboard.Core.Tests.Streams;

/// <summary>A stream's path: URL-safe segments, none empty or relative, bounded, and not the protocol's control prefix.</summary>
public sealed class StreamPathTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("runs/42/output")]
    [InlineData("A-b_c.d~e/f:g@h!i$j&k'l(m)n*o+p,q;r=s")]
    [InlineData("x/__ds")]
    [InlineData("...")]
    public void URLSafeSegmentsNameAStream(string path) => StreamPath.Problem(path).ShouldBeNull();

    [Theory]
    [InlineData("", "empty")]
    [InlineData(".", "'.'")]
    [InlineData("a/../b", "'..'")]
    [InlineData("a//b", "empty")]
    [InlineData("a/", "empty")]
    [InlineData("/a", "empty")]
    [InlineData("__ds/subscriptions/x", "reserved")]
    [InlineData("a b", "' '")]
    [InlineData("a%2Fb", "'%'")]
    [InlineData("a?b", "'?'")]
    [InlineData("caf\u00e9", "\\u00e9")]
    [InlineData("a\nb", "\\u000a")]
    public void AnythingElseIsRefusedWithTheReason(string path, string reason) =>
        StreamPath.Problem(path).ShouldNotBeNull().ShouldContain(reason);

    [Fact]
    public void APathIsBounded()
    {
        StreamPath.Problem(new string('a', StreamPath.MaxLength)).ShouldBeNull();
        StreamPath.Problem(new string('a', StreamPath.MaxLength + 1)).ShouldNotBeNull().ShouldContain($"the most is {StreamPath.MaxLength}");
    }
}

using Switchboard.Core.Sessions;

namespace Switchboard.Core.Tests;

public sealed class SessionIdTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("agent-7.run_3:step-2")]
    [InlineData("ABCxyz0123456789")]
    public void ValidIdsAreAccepted(string id) => SessionId.IsValid(id).ShouldBeTrue();

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/no")]
    [InlineData("ünïcode")]
    [InlineData(null)]
    public void InvalidIdsAreRejected(string? id) => SessionId.IsValid(id).ShouldBeFalse();

    [Fact]
    public void IdsLongerThan128CharactersAreRejected()
    {
        SessionId.IsValid(new string('a', 128)).ShouldBeTrue();
        SessionId.IsValid(new string('a', 129)).ShouldBeFalse();
    }

    [Fact]
    public void GeneratedIdsAreValidAndDistinct()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => SessionId.New()).ToList();
        ids.ShouldAllBe(id => SessionId.IsValid(id));
        ids.Distinct().Count().ShouldBe(1000);
    }
}

using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Tests;

public sealed class WriteValidatorTests
{
    [Fact]
    public void ThirtyThreeLabelsAreTooMany()
    {
        var labels = Enumerable.Range(0, 33).ToDictionary(i => $"k{i}", i => "v");
        var error = WriteValidator.Validate(new CreateSession { Id = "s", Labels = labels });
        error!.Field.ShouldBe("labels");
        error.Detail.ShouldContain("33");
    }

    [Fact]
    public void MetadataOver16KiBIsRejected()
    {
        var big = "{\"x\":\"" + new string('a', 16 * 1024) + "\"}";
        WriteValidator.Validate(new CreateSession { Id = "s", Metadata = big })!.Field.ShouldBe("metadata");
        WriteValidator.Validate(new CreateSession { Id = "s", Metadata = "{\"x\":1}" }).ShouldBeNull();
    }

    [Fact]
    public void MetadataMustBeAnObject() =>
        WriteValidator.Validate(new CreateSession { Id = "s", Metadata = "[1]" })!.Field.ShouldBe("metadata");

    [Theory]
    [InlineData(-1, 0, 0)]
    [InlineData(0, -5, 0)]
    [InlineData(0, 0, -0.01)]
    public void NegativeUsageIsRejected(long input, long output, double cost) =>
        WriteValidator.Validate(new AddUsage("s") { InputTokens = input, OutputTokens = output, CostUsd = (decimal)cost }).ShouldNotBeNull();

    [Fact]
    public void NamesLongerThan200CharactersAreRejected() =>
        WriteValidator.Validate(new CreateSession { Id = "s", Name = new string('n', 201) })!.Field.ShouldBe("name");

    [Fact]
    public void LeaseMustBePositive() =>
        WriteValidator.Validate(new CreateSession { Id = "s", LeaseSeconds = 0 })!.Field.ShouldBe("lease_seconds");

    [Fact]
    public void BadLabelKeysAreRejected() =>
        WriteValidator.Validate(new CreateSession { Id = "s", Labels = new Dictionary<string, string> { ["has space"] = "v" } })!.Field.ShouldBe("labels");

    [Fact]
    public void CreatingInATerminalStateIsRejected() =>
        WriteValidator.Validate(new CreateSession { Id = "s", State = SessionState.Terminated })!.Field.ShouldBe("state");

    [Fact]
    public void AnIdBeginningWithOtelIsTheServersAndNoClientCreatesOne()
    {
        var refused = WriteValidator.Validate(new CreateSession { Id = "otel:s2:abc" })!;
        (refused.Code, refused.Field).ShouldBe(("invalid_field", "id"));
        refused.Detail.ShouldContain("reserved for the sessions Switchboard makes from telemetry and hooks");
        WriteValidator.Validate(new CreateSession { Id = "child", ParentId = "otel:s:abc" }).ShouldBeNull("a child of one is fine");
        WriteValidator.Validate(new UpdateSession("otel:s:abc") { Name = "renamed" }).ShouldBeNull("so is a change to one");
        WriteValidator.Validate(new CreateSession { Id = "OTEL:s2:abc" }).ShouldBeNull("ids are case-sensitive: no server id looks like it");
    }
}

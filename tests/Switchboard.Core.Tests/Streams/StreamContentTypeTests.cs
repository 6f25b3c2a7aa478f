using Switchboard.Core.Streams;

namespace Switchboard.Core.Tests.Streams;

/// <summary>Content types: a media type is required, appends compare its type and subtype only, and it decides JSON mode and SSE encoding.</summary>
public sealed class StreamContentTypeTests
{
    [Theory]
    [InlineData("text/plain", "text/plain")]
    [InlineData("  application/json; charset=utf-8 ", "application/json; charset=utf-8")]
    [InlineData("APPLICATION/X-Protobuf", "APPLICATION/X-Protobuf")]
    public void AMediaTypeIsKeptAsSent(string header, string kept)
    {
        StreamContentType.Parse(header, out var problem).ShouldBe(kept);
        problem.ShouldBeNull();
    }

    [Theory]
    [InlineData("text")]
    [InlineData("/json")]
    [InlineData("text/")]
    [InlineData("te xt/plain")]
    [InlineData("text/plain; charset=\u00e9")]
    [InlineData("")]
    public void AnythingElseIsRefused(string header)
    {
        StreamContentType.Parse(header, out var problem).ShouldBeNull();
        problem.ShouldNotBeNull();
    }

    [Fact]
    public void AContentTypeIsBounded()
    {
        var parameters = "; p=" + new string('x', StreamContentType.MaxLength);
        StreamContentType.Parse("text/plain" + parameters, out var problem).ShouldBeNull();
        problem.ShouldNotBeNull().ShouldContain($"the most is {StreamContentType.MaxLength}");
    }

    [Fact]
    public void AppendsCompareTheMediaTypeWithoutCaseOrParameters()
    {
        StreamContentType.SameType("text/plain", "TEXT/PLAIN").ShouldBeTrue();
        StreamContentType.SameType("application/json", "application/json; charset=utf-8").ShouldBeTrue();
        StreamContentType.SameType("text/plain", "application/json").ShouldBeFalse();
        StreamContentType.SameType("text/plain", "text/plainer").ShouldBeFalse();
    }

    [Fact]
    public void JsonKeepsMessagesTextAndJsonTravelAsTextAndTheRestAsBase64()
    {
        StreamContentType.IsJson("Application/JSON; charset=utf-8").ShouldBeTrue();
        StreamContentType.IsJson("application/ndjson").ShouldBeFalse();
        StreamContentType.IsText("text/markdown").ShouldBeTrue();
        StreamContentType.IsText("application/json").ShouldBeTrue();
        StreamContentType.IsText("application/octet-stream").ShouldBeFalse();
        StreamContentType.IsText("image/png").ShouldBeFalse();
    }
}

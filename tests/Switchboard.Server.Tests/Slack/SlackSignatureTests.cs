using System.Text;
using Switchboard.Server.Slack;

namespace Switchboard.Server.Tests.Slack;

/// <summary>
/// Slack's request signature over the worked example of Slack's "Verifying requests from Slack" page (its signing secret,
/// timestamp, slash-command body and resulting <c>v0=a2114d57…</c>), and the refusals around it.
/// </summary>
public sealed class SlackSignatureTests
{
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Timestamp = "1531420618";
    private const string Expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar" +
        "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands" +
        "%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c");

    private static readonly DateTimeOffset Then = DateTimeOffset.FromUnixTimeSeconds(1531420618);

    [Fact]
    public void SlacksDocumentedExampleSignsAsDocumented() => SlackSignature.Compute(Secret, Timestamp, Body).ShouldBe(Expected);

    [Fact]
    public void TheDocumentedRequestIsTakenWithinFiveMinutesEitherWay()
    {
        SlackSignature.Refusal(Secret, Timestamp, Expected, Body, Then).ShouldBeNull();
        SlackSignature.Refusal(Secret, Timestamp, Expected, Body, Then.AddMinutes(5)).ShouldBeNull();
        SlackSignature.Refusal(Secret, Timestamp, Expected, Body, Then.AddMinutes(-5)).ShouldBeNull();
    }

    [Fact]
    public void AReplayOlderOrNewerThanFiveMinutesIsRefused()
    {
        SlackSignature.Refusal(Secret, Timestamp, Expected, Body, Then.AddMinutes(5).AddSeconds(1))!.ShouldContain("301 s old");
        SlackSignature.Refusal(Secret, Timestamp, Expected, Body, Then.AddMinutes(-6))!.ShouldContain("ahead");
    }

    [Fact]
    public void AnotherSecretBodyOrTimestampDoesNotMatch()
    {
        SlackSignature.Refusal("another-secret", Timestamp, Expected, Body, Then)!.ShouldContain("does not match");
        SlackSignature.Refusal(Secret, Timestamp, Expected, [.. Body, (byte)'x'], Then)!.ShouldContain("does not match");
        SlackSignature.Refusal(Secret, "1531420619", Expected, Body, Then)!.ShouldContain("does not match");
        SlackSignature.Refusal(Secret, Timestamp, Expected.ToUpperInvariant(), Body, Then)!.ShouldContain("does not match");
    }

    [Theory]
    [InlineData(null, Expected)]
    [InlineData(Timestamp, null)]
    [InlineData("", Expected)]
    [InlineData("-1531420618", Expected)]
    [InlineData("1531420618.5", Expected)]
    [InlineData("99999999999999999999", Expected)]
    public void MissingOrMalformedHeadersAreRefused(string? timestamp, string? signature) =>
        SlackSignature.Refusal(Secret, timestamp, signature, Body, Then).ShouldNotBeNull();
}

using Microsoft.Extensions.Configuration;
using Switchboard.Server.Options.Validation;
using Switchboard.Server.Slack.Options;

namespace Switchboard.Server.Tests.Slack;

/// <summary>
/// <c>Switchboard:Slack</c> is off unless set up, whole or not at all: a token without a secret, settings without
/// either, no channel or nowhere for Open to lead stop the server with a line saying what to set; secrets are never echoed.
/// </summary>
public sealed class SlackOptionsValidationTests
{
    private static readonly Uri PublicUrl = new("https://switchboard.example.com/");

    private static IReadOnlyList<string> Problems(SlackOptions options, Uri? publicUrl = null) =>
        SlackOptionsValidator.Validate(options, publicUrl).Failures?.ToList() ?? [];

    private static SlackOptions Whole()
    {
        var o = new SlackOptions { BotToken = "xoxb-1", SigningSecret = "s3cr3t-value", Channel = "C0123ABCD" };
        o.Operators["U0ALICE"] = "alice";
        return o;
    }

    [Fact]
    public void NothingSetIsOffAndAWholeSetUpIsAccepted()
    {
        Problems(new SlackOptions()).ShouldBeEmpty();
        new SlackOptions().Enabled.ShouldBeFalse();
        Problems(Whole(), PublicUrl).ShouldBeEmpty();
        Whole().Enabled.ShouldBeTrue();
    }

    [Fact]
    public void OperatorsAreReadFromConfigurationAsAMapOfSlackUserIds()
    {
        var options = new SlackOptions();
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = "xoxb-1",
            ["Slack:SigningSecret"] = "s",
            ["Slack:Channel"] = "C1",
            ["Slack:Operators:U0123ABC"] = "alice",
            ["Slack:Operators:W0456DEF"] = "bob",
        }).Build().GetSection("Slack").Bind(options);

        options.Operators.ShouldBe(new Dictionary<string, string> { ["U0123ABC"] = "alice", ["W0456DEF"] = "bob" }, ignoreOrder: true);
        Problems(options, PublicUrl).ShouldBeEmpty();
    }

    [Fact]
    public void HalfASetUpStopsTheServerSayingWhatIsMissingWithoutEchoingSecrets()
    {
        var tokenOnly = Whole();
        tokenOnly.SigningSecret = null;
        var line = Problems(tokenOnly, PublicUrl).ShouldHaveSingleItem();
        line.ShouldContain("Switchboard:Slack:SigningSecret is not set");
        line.ShouldNotContain("xoxb-1");

        var secretOnly = Whole();
        secretOnly.BotToken = "";
        Problems(secretOnly, PublicUrl).ShouldHaveSingleItem().ShouldContain("Switchboard:Slack:BotToken is not set");

        var neither = new SlackOptions { Channel = "C1" };
        Problems(neither).ShouldHaveSingleItem().ShouldContain("set both");

        var noChannel = Whole();
        noChannel.Channel = " ";
        Problems(noChannel, PublicUrl).ShouldHaveSingleItem().ShouldContain("Switchboard:Slack:Channel is not set");

        Problems(Whole()).ShouldHaveSingleItem().ShouldContain("DashboardUrl is not set, nor is Switchboard:PublicUrl");
    }

    [Fact]
    public void BadUrlsAndOperatorsAreRefused()
    {
        var o = Whole();
        o.ApiBaseUrl = new Uri("ftp://slack.example/");
        o.DashboardUrl = new Uri("/relative", UriKind.Relative);
        o.Operators["alice"] = "alice";
        o.Operators["U0BOB"] = " ";
        var problems = Problems(o, PublicUrl);
        problems.Count.ShouldBe(4, string.Join("\n", problems));
        problems.ShouldContain(p => p.StartsWith("Switchboard:Slack:ApiBaseUrl", StringComparison.Ordinal));
        problems.ShouldContain(p => p.StartsWith("Switchboard:Slack:DashboardUrl", StringComparison.Ordinal));
        problems.ShouldContain(p => p.StartsWith("Switchboard:Slack:Operators:alice", StringComparison.Ordinal) && p.Contains("Slack user id"));
        problems.ShouldContain(p => p.StartsWith("Switchboard:Slack:Operators:U0BOB", StringComparison.Ordinal));
    }
}

using System.Text.RegularExpressions;
using Switchboard.Client;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary><c>switchboard webhooks</c> and <c>switchboard tail webhooks</c> as child processes against a real server.</summary>
public sealed partial class WebhooksCommandTests
{
    /// <summary>A loopback port nobody listens on: every delivery fails with a refused connection.</summary>
    private const string Down = "http://127.0.0.1:9/hook";

    [Fact]
    public async Task WebhooksListsTheEndpointsWithTheirDeliveryState()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Webhooks.PollInterval = TimeSpan.FromMilliseconds(200));
        using var client = new SwitchboardClient(server.BaseAddress);
        var url = server.BaseAddress.ToString();

        var (emptyCode, empty) = await Cli.RunAsync("webhooks", "--url", url);
        await using (empty)
        {
            emptyCode.ShouldBe(0, empty.Output);
            empty.StdoutLines.ShouldBe(["No webhook endpoints."]);
        }

        await client.CreateWebhookAsync(new WebhookSpec(Down, Id: "down"));
        await client.CreateWebhookAsync(new WebhookSpec(Down, Id: "quiet", Enabled: false));
        await client.CreateSessionAsync(new NewSession { Id = "s1" });
        await TestTimeouts.Eventually(async () => (await client.GetWebhookAsync("down"))!.Failures > 0, "a failed delivery to the down endpoint");

        var (code, listed) = await Cli.RunAsync("webhooks", "--url", url);
        await using (listed)
        {
            code.ShouldBe(0, listed.Output);
            listed.StdoutLines[0].ShouldMatch("^ID +URL +FORMAT +STATE +LAG +ATTEMPTS +FAILURES +LAST ATTEMPT \\(UTC\\) +LAST ERROR$");
            var down = listed.StdoutLines.Single(l => l.StartsWith("down ", StringComparison.Ordinal));
            down.ShouldMatch($"^down +{Down.Replace(".", "\\.", StringComparison.Ordinal)} +json +(active|failing) +[1-9]\\d* +[1-9]\\d* +[1-9]\\d* +\\d{{4}}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +\\S.*$");
            listed.StdoutLines.Single(l => l.StartsWith("quiet ", StringComparison.Ordinal)).ShouldMatch("^quiet +\\S+ +json +disabled +\\d+ +0 +0 +- +-$");
        }
    }

    [Fact]
    public async Task WatchPrintsTheTableAgainAtEachPushAndTailPrintsALinePerPush()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Webhooks.PollInterval = TimeSpan.FromMilliseconds(200));
        using var client = new SwitchboardClient(server.BaseAddress);
        var url = server.BaseAddress.ToString();
        await using var watch = Cli.Start("webhooks", "--watch", "--url", url);
        await using var tail = Cli.Start("tail", "webhooks", "--url", url);

        // Each prints what the join's first push holds: no endpoints yet.
        await watch.WaitForLineAsync(l => l == "No webhook endpoints.");
        (await tail.WaitForLineAsync(l => l.Contains(" webhooks ", StringComparison.Ordinal))).ShouldMatch(@"^ +- +\d\d:\d\d:\d\d\.\d{3} +webhooks +no endpoints$");

        await client.CreateWebhookAsync(new WebhookSpec(Down, Id: "down"));
        await watch.WaitForLineAsync(l => l.StartsWith("down ", StringComparison.Ordinal));
        (await tail.WaitForLineAsync(l => l.Contains("1 endpoint: ", StringComparison.Ordinal))).ShouldEndWith("1 endpoint: down active lag=0 failures=0");

        // A session write gives it an event to deliver; each failed attempt is pushed again.
        await client.CreateSessionAsync(new NewSession { Id = "s1" });
        // (It turns from active to failing only after several failed attempts.)
        await watch.WaitForLineAsync(l => Regex.IsMatch(l, @"^down .* (active|failing) +[1-9]\d* +[1-9]\d* +[1-9]\d* "));
        var failing = await tail.WaitForLineAsync(l => l.Contains("1 endpoint: down", StringComparison.Ordinal) && !l.Contains("failures=0", StringComparison.Ordinal));
        failing.ShouldMatch(@"1 endpoint: down (active|failing) lag=[1-9]\d* failures=[1-9]\d* \(last error: \S.*\)$");

        watch.StdoutLines.Count(l => Regex.IsMatch(l, @"^# \d\d:\d\d:\d\d$")).ShouldBeGreaterThanOrEqualTo(3, "the time of the push heads each table: " + watch.Output);
        watch.Signal(Posix.SigInt);
        (await watch.WaitForExitAsync()).ShouldBe(0, watch.Output);
    }

    [Fact]
    public async Task AKeyScopedByLabelsIsRefusedTheListTheFollowAndEveryChangeWithAClearMessage()
    {
        const string Admin = "cli-admin-key-0123456789", Scoped = "cli-scoped-key-0123456789";
        await using var server = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys($"{Admin},{Scoped} team=red"));
        var url = server.BaseAddress.ToString();

        foreach (var args in new[]
        {
            new[] { "webhooks" }, ["webhooks", "--watch"], ["webhooks", "add", Down], ["webhooks", "remove", "any"], ["webhooks", "replay", "any", "--from-seq", "1"],
        })
        {
            var (code, refused) = await Cli.RunAsync([.. args, "--url", url, "--api-key", Scoped]);
            await using (refused)
            {
                code.ShouldBe(1, string.Join(' ', args) + ": " + refused.Output);
                refused.StdoutLines.ShouldBeEmpty("nothing is listed: " + refused.Output);
                var line = refused.StderrLines().ShouldHaveSingleItem();
                line.ShouldStartWith("switchboard: ");
                line.ShouldContain("fleet", Case.Sensitive, "it says why: the endpoints belong to the whole fleet");
            }
        }

        var (okCode, listed) = await Cli.RunAsync("webhooks", "--url", url, "--api-key", Admin);
        await using (listed)
        {
            okCode.ShouldBe(0, listed.Output);
            listed.StdoutLines.ShouldBe(["No webhook endpoints."]);
        }
    }
}

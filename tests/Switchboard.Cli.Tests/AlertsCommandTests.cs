using Switchboard.Client;
using Switchboard.Server.Alerts.Options;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary><c>switchboard alerts</c> as a child process against a real server with an alert rule.</summary>
public sealed class AlertsCommandTests
{
    [Fact]
    public async Task AlertsListsOpenAlertsAndAcknowledgesOne()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Alerts.Rules.Add(new AlertRuleOptions { Id = "errors", Name = "Errors", Condition = "session_error", Severity = "critical" }));
        using var client = new SwitchboardClient(server.BaseAddress);
        var url = server.BaseAddress.ToString();
        var (emptyCode, empty) = await Cli.RunAsync("alerts", "--url", url);
        emptyCode.ShouldBe(0, empty.Output);
        empty.StdoutLines.ShouldBe(["No open alerts."]);

        await client.CreateSessionAsync(new NewSession { Id = "broken", State = Switchboard.Client.SessionState.Error, ErrorMessage = "disk full" });
        AlertList open = new([], 0);
        await TestTimeouts.Eventually(async () => (open = await client.ListAlertsAsync()).Alerts.Count == 1, "the alert");

        var (code, listed) = await Cli.RunAsync("alerts", "--url", url);
        code.ShouldBe(0, listed.Output);
        listed.StdoutLines[0].ShouldStartWith("ID");
        listed.StdoutLines.ShouldContain(l => l.Contains(open.Alerts[0].Id, StringComparison.Ordinal) && l.Contains("critical", StringComparison.Ordinal)
            && l.Contains("broken", StringComparison.Ordinal) && l.Contains("disk full", StringComparison.Ordinal));

        var (ackCode, acked) = await Cli.RunAsync("alerts", "--url", url, "--ack", open.Alerts[0].Id, "--by", "ops", "--note", "replacing the disk");
        ackCode.ShouldBe(0, acked.Output);
        (await client.GetAlertAsync(open.Alerts[0].Id))!.Note.ShouldBe("replacing the disk");

        var (badCode, bad) = await Cli.RunAsync("alerts", "--ack", "al_x");
        badCode.ShouldBe(2);
        bad.Output.ShouldContain("--ack needs --by");
    }
}

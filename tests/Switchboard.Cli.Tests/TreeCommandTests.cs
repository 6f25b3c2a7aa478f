using Switchboard.Client;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary><c>switchboard sessions --tree</c> and the demo's sub-agents, as child processes against a real server.</summary>
public sealed class TreeCommandTests
{
    [Fact]
    public async Task SessionsTreeDrawsEachRootWithItsSubtreeAndTotals()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        await client.CreateSessionAsync(new NewSession { Id = "run", Name = "orchestrator", State = SessionState.Working });
        await client.CreateSessionAsync(new NewSession { Id = "plan", ParentId = "run", CostUsd = 0.5m, InputTokens = 1000 });
        await client.CreateSessionAsync(new NewSession { Id = "code", ParentId = "run", CostUsd = 0.25m });
        await client.CreateSessionAsync(new NewSession { Id = "test", ParentId = "code", OutputTokens = 500 });
        await client.CreateSessionAsync(new NewSession { Id = "solo" });
        var url = server.BaseAddress.ToString();

        var (code, all) = await Cli.RunAsync("sessions", "--url", url, "--tree");
        code.ShouldBe(0, all.Output);
        var lines = all.StdoutLines;
        lines[0].ShouldStartWith("TREE");
        var run = lines.Single(l => l.StartsWith("run ", StringComparison.Ordinal));
        run.ShouldContain("4/4 active");
        run.ShouldContain("1,500");
        run.ShouldContain("$0.7500");
        lines.ShouldContain(l => l.StartsWith("├─ code", StringComparison.Ordinal));
        lines.ShouldContain(l => l.StartsWith("│  └─ test", StringComparison.Ordinal));
        lines.ShouldContain(l => l.StartsWith("└─ plan", StringComparison.Ordinal));
        lines.ShouldContain(l => l.StartsWith("solo ", StringComparison.Ordinal));
        lines[^1].ShouldBe("5 sessions in 2 trees.");

        var (_, one) = await Cli.RunAsync("sessions", "--url", url, "--tree", "code");
        one.StdoutLines[1].ShouldStartWith("code ");
        one.StdoutLines[2].ShouldStartWith("└─ test ");
        one.StdoutLines[^1].ShouldBe("2 sessions in 1 tree.");

        var (missing, nope) = await Cli.RunAsync("sessions", "--url", url, "--tree", "nope");
        missing.ShouldNotBe(0);
        nope.Output.ShouldContain("does not exist");
        foreach (var p in new[] { all, one, nope })
        {
            await p.DisposeAsync();
        }
    }

    [Fact]
    public async Task TheDemoStartsSubAgentsWhoseCostRollsUpIntoTheirParents()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        await using var demo = Cli.Start("demo", "--url", server.BaseAddress.ToString(), "--sessions", "6");
        Session? child = null;
        await TestTimeouts.Eventually(async () =>
        {
            child = (await client.ListSessionsAsync(new SessionQuery { Roots = false, Limit = 1 })).Sessions.FirstOrDefault();
            return child is not null;
        }, "a sub-agent of the demo", TimeSpan.FromSeconds(30));

        var parent = (await client.GetSessionAsync(child!.ParentId!))!;
        parent.Subtree.Sessions.ShouldBeGreaterThan(1);
        parent.Subtree.CostUsd.ShouldBeGreaterThanOrEqualTo(parent.CostUsd + child.CostUsd);
        demo.Signal(Posix.SigInt);
        (await demo.WaitForExitAsync()).ShouldBe(0, demo.Output);
        (await client.GetSummaryAsync()).ActiveCount.ShouldBe(0, "sub-agents end before their parents, also on Ctrl+C");
    }
}

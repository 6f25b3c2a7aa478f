using Switchboard.Client;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary><c>switchboard sessions</c> as a child process against a real server.</summary>
public sealed class SessionsCommandTests
{
    [Fact]
    public async Task SessionsPrintsATableOfActiveSessionsAndFiltersByState()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        await client.CreateSessionAsync(new NewSession { Id = "busy-one", Name = "indexing", State = SessionState.Working, InputTokens = 1500, CostUsd = 0.25m });
        await client.CreateSessionAsync(new NewSession { Id = "idle-one", State = SessionState.Idle, Labels = new Dictionary<string, string> { ["team"] = "core" } });
        await client.CreateSessionAsync(new NewSession { Id = "done-one" });
        await client.TerminateSessionAsync("done-one");
        var url = server.BaseAddress.ToString();

        var (code, active) = await Cli.RunAsync("sessions", "--url", url);
        code.ShouldBe(0, active.Output);
        var lines = active.StdoutLines;
        lines[0].ShouldStartWith("ID");
        lines[0].ShouldContain("STATE");
        lines.ShouldContain(l => l.StartsWith("busy-one", StringComparison.Ordinal) && l.Contains("working", StringComparison.Ordinal)
            && l.Contains("indexing", StringComparison.Ordinal) && l.Contains("1,500", StringComparison.Ordinal) && l.Contains("$0.2500", StringComparison.Ordinal));
        lines.ShouldContain(l => l.StartsWith("idle-one", StringComparison.Ordinal) && l.Contains("team=core", StringComparison.Ordinal));
        lines.ShouldNotContain(l => l.StartsWith("done-one", StringComparison.Ordinal));
        lines[^1].ShouldBe("2 shown; 2 active of 3 sessions.");

        var (_, working) = await Cli.RunAsync("sessions", "--url", url, "--state", "working");
        working.StdoutLines.Count(l => l.Contains("-one", StringComparison.Ordinal)).ShouldBe(1);
        working.StdoutLines.ShouldContain(l => l.StartsWith("busy-one", StringComparison.Ordinal));

        var (_, all) = await Cli.RunAsync("sessions", "--url", url, "--all", "--limit", "2");
        all.StdoutLines.ShouldContain(l => l.StartsWith("done-one", StringComparison.Ordinal) && l.Contains("terminated", StringComparison.Ordinal));
        all.StdoutLines[^1].ShouldStartWith("2 shown (more match; raise --limit)");

        var (_, labelled) = await Cli.RunAsync("sessions", "--url", url, "--label", "team=core");
        labelled.StdoutLines.Count(l => l.Contains("-one", StringComparison.Ordinal)).ShouldBe(1);

        foreach (var p in new[] { active, working, all, labelled })
        {
            await p.DisposeAsync();
        }
    }

    [Fact]
    public async Task BadInputAndAnUnreachableServerGiveClearErrorsAndExitCodes()
    {
        var (unreachable, p1) = await Cli.RunAsync("sessions", "--url", $"http://127.0.0.1:{FreePort.Next()}");
        unreachable.ShouldBe(3);
        p1.Output.ShouldContain("cannot reach the server");

        var (badState, p2) = await Cli.RunAsync("sessions", "--state", "sleeping");
        badState.ShouldBe(2);
        p2.Output.ShouldContain("unknown state 'sleeping'");

        var (badUrl, p3) = await Cli.RunAsync("tail", "--url", "ftp://example");
        badUrl.ShouldBe(2);
        p3.Output.ShouldContain("--url must be an http(s) address");

        foreach (var p in new[] { p1, p2, p3 })
        {
            await p.DisposeAsync();
        }
    }
}

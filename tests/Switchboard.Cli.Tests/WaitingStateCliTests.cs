using Switchboard.Client;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>sessions</c> and <c>tail</c> with a session going working → waiting → working on a real server, and with a state
/// the CLI has never heard of (the real server's <c>waiting</c> renamed by a proxy in front of it).
/// </summary>
public sealed class WaitingStateCliTests
{
    [Fact]
    public async Task SessionsAndTailShowASessionGoingWorkingThenWaitingThenWorking()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        var url = server.BaseAddress.ToString();
        await using var tail = Cli.Start("tail", "session:asks", "--url", url);
        await tail.WaitForLineAsync(l => l.StartsWith("# joined session:asks at seq", StringComparison.Ordinal), stderr: true);
        await using var fleet = Cli.Start("tail", "summary", "--url", url);
        await fleet.WaitForLineAsync(l => l.StartsWith("# joined summary at seq", StringComparison.Ordinal), stderr: true);

        await client.CreateSessionAsync(new NewSession { Id = "asks", State = SessionState.Working });
        await client.CreateSessionAsync(new NewSession { Id = "works", State = SessionState.Working });
        await client.UpdateSessionAsync("asks", new SessionUpdate { State = SessionState.Waiting });
        (await tail.WaitForLineAsync(l => l.Contains("session_updated", StringComparison.Ordinal))).ShouldContain("state=waiting (was working)");
        (await fleet.WaitForLineAsync(l => l.Contains("waiting=1", StringComparison.Ordinal))).ShouldContain("active=2 working=1 waiting=1");

        await using (var listed = (await Cli.RunAsync("sessions", "--url", url)).Process)
        {
            listed.StdoutLines.ShouldContain(l => l.StartsWith("asks ", StringComparison.Ordinal) && l.Contains(" waiting ", StringComparison.Ordinal), listed.Output);
        }

        var (code, waiting) = await Cli.RunAsync("sessions", "--url", url, "--state", "waiting");
        await using (waiting)
        {
            code.ShouldBe(0, waiting.Output);
            waiting.StdoutLines.Where(l => !l.StartsWith("ID", StringComparison.Ordinal)).SkipLast(1).Select(l => l.Split(' ')[0]).ShouldBe(["asks"]);
        }

        await client.UpdateSessionAsync("asks", new SessionUpdate { State = SessionState.Working });
        (await tail.WaitForLineAsync(l => l.Contains("state=working (was waiting)", StringComparison.Ordinal))).ShouldContain("asks");
        await using (var none = (await Cli.RunAsync("sessions", "--url", url, "--state", "waiting")).Process)
        {
            none.StdoutLines[0].ShouldBe("No sessions match.");
        }
    }

    [Fact]
    public async Task AStateTheCliDoesNotKnowIsShownByItsName()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        await using var proxy = await RenamingProxy.StartAsync(server.BaseAddress, "\"waiting\"", "\"napping\"");
        var url = proxy.BaseAddress.ToString();
        await client.CreateSessionAsync(new NewSession { Id = "naps", State = SessionState.Working });
        await using var tail = Cli.Start("tail", "session:naps", "--url", url);
        await tail.WaitForLineAsync(l => l.StartsWith("# joined session:naps at seq", StringComparison.Ordinal), stderr: true);

        await client.UpdateSessionAsync("naps", new SessionUpdate { State = SessionState.Waiting });
        (await tail.WaitForLineAsync(l => l.Contains("session_updated", StringComparison.Ordinal))).ShouldContain("state=napping (was working)");
        await client.UpdateSessionAsync("naps", new SessionUpdate { State = SessionState.Idle });
        (await tail.WaitForLineAsync(l => l.Contains("state=idle", StringComparison.Ordinal))).ShouldContain("(was napping)");
        await client.UpdateSessionAsync("naps", new SessionUpdate { State = SessionState.Waiting });

        var (code, listed) = await Cli.RunAsync("sessions", "--url", url);
        await using (listed)
        {
            code.ShouldBe(0, listed.Output);
            listed.StdoutLines.ShouldContain(l => l.StartsWith("naps ", StringComparison.Ordinal) && l.Contains(" napping ", StringComparison.Ordinal), listed.Output);
            listed.StdoutLines[^1].ShouldBe("1 shown; 1 active of 1 sessions.");
        }

        tail.Signal(Posix.SigInt);
        (await tail.WaitForExitAsync()).ShouldBe(0, tail.Output);
    }
}

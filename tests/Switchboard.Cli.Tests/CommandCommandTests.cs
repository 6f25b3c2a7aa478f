using Switchboard.Client;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary><c>switchboard command</c> as a child process against a real server: issue, wait for the producer's answer, list.</summary>
public sealed class CommandCommandTests
{
    [Fact]
    public async Task CommandIssuesWaitsForTheProducersAnswerAndLists()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        var url = server.BaseAddress.ToString();
        await client.CreateSessionAsync(new NewSession { Id = "agent-7", State = SessionState.Working });

        var (code, issued) = await Cli.RunAsync("command", "agent-7", "message", "use the staging database", "--url", url);
        code.ShouldBe(0, issued.Output);
        issued.StdoutLines.ShouldHaveSingleItem().ShouldStartWith("Issued cmd_");
        (await client.ListCommandsAsync("agent-7")).Commands.ShouldHaveSingleItem().Text.ShouldBe("use the staging database");

        // --wait: a producer answers the pause once the command line has issued it.
        await using var waiting = Cli.Start("command", "agent-7", "pause", "--wait", "--url", url);
        await waiting.WaitForLineAsync(l => l.StartsWith("Issued ", StringComparison.Ordinal));
        var pause = (await client.ListCommandsAsync("agent-7", [CommandState.Pending])).Commands.Single(c => c.Type == CommandType.Pause);
        await client.AcknowledgeCommandAsync("agent-7", pause.Id, CommandOutcome.Done, "paused at step 3");
        (await waiting.WaitForExitAsync()).ShouldBe(0, waiting.Output);
        waiting.StdoutLines[^1].ShouldBe($"{pause.Id}: done — paused at step 3.");

        var (listCode, listed) = await Cli.RunAsync("command", "agent-7", "--list", "--url", url);
        listCode.ShouldBe(0, listed.Output);
        listed.StdoutLines[0].ShouldStartWith("ID");
        listed.StdoutLines.ShouldContain(l => l.Contains(pause.Id, StringComparison.Ordinal) && l.Contains("acknowledged", StringComparison.Ordinal));

        var (refusedCode, refused) = await Cli.RunAsync("command", "nobody", "cancel", "--url", url);
        refusedCode.ShouldBe(1, refused.Output);
        refused.Output.ShouldContain("session_not_found");
        var (badCode, bad) = await Cli.RunAsync("command", "agent-7", "message");
        badCode.ShouldBe(2, bad.Output);
        bad.Output.ShouldContain("A message needs its text");
        var (unknownCode, unknown) = await Cli.RunAsync("command", "agent-7", "explode");
        unknownCode.ShouldBe(2, unknown.Output);
    }

    [Fact]
    public async Task CommandWaitSaysWhenTheCommandIsHandedOverAgainBecauseItWasNotAcknowledgedInTime()
    {
        // The server's clock starts at the real time, so the command line's own deadline (the command's expiry) is sane.
        var time = new ManualTimeProvider(TimeProvider.System.GetUtcNow());
        await using var server = await SwitchboardServer.StartAsync(time: time);
        using var client = new SwitchboardClient(server.BaseAddress);
        await client.CreateSessionAsync(new NewSession { Id = "slow-7", State = SessionState.Working });

        await using var waiting = Cli.Start("command", "slow-7", "pause", "--wait", "--url", server.BaseAddress.ToString());
        await waiting.WaitForLineAsync(l => l.StartsWith("Issued ", StringComparison.Ordinal));
        var pause = (await client.PollCommandsAsync("slow-7", TimeSpan.Zero)).Commands.ShouldHaveSingleItem();
        await waiting.WaitForLineAsync(l => l.StartsWith("Delivered to the producer at ", StringComparison.Ordinal));

        time.Advance(TimeSpan.FromSeconds(30)); // the producer did not answer within the server's RedeliverAfter
        (await client.PollCommandsAsync("slow-7", TimeSpan.Zero)).Commands.ShouldHaveSingleItem().Attempt.ShouldBe(2);
        await waiting.WaitForLineAsync(l => l.StartsWith("Handed to the producer again at ", StringComparison.Ordinal)
            && l.EndsWith("(attempt 2): it was not acknowledged in time.", StringComparison.Ordinal));

        await client.AcknowledgeCommandAsync("slow-7", pause.Id, CommandOutcome.Done);
        (await waiting.WaitForExitAsync()).ShouldBe(0, waiting.Output);
    }
}

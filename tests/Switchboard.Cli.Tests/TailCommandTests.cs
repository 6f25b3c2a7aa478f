using System.Globalization;
using System.Text.Json;
using Switchboard.Client;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary><c>switchboard tail</c> as a child process against a real server.</summary>
public sealed class TailCommandTests
{
    private static (long Seq, string Type, string? SessionId) Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var e = doc.RootElement;
        return (e.GetProperty("seq").GetInt64(), e.GetProperty("type").GetString()!, e.GetProperty("session_id").GetString());
    }

    private static async Task<List<(long Seq, string Type, string? SessionId)>> EventsAsync(ChildProcess tail, int count)
    {
        await TestTimeouts.Eventually(() => tail.StdoutLines.Count >= count, $"{count} event lines from tail. Output:\n{tail.Output}", TestTimeouts.Long);
        return tail.StdoutLines.Select(Parse).ToList();
    }

    [Fact]
    public async Task TailPrintsLiveEventsAndResumesAfterSince()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        await client.CreateSessionAsync(new NewSession { Id = "before-tail" });
        var url = server.BaseAddress.ToString();

        long last;
        await using (var tail = Cli.Start("tail", "--url", url, "--json", "--no-summary"))
        {
            var joined = await tail.WaitForLineAsync(l => l.StartsWith("# joined sessions at seq ", StringComparison.Ordinal), stderr: true);
            var at = long.Parse(joined.Split(' ')[5], CultureInfo.InvariantCulture);
            at.ShouldBe(1);

            await client.CreateSessionAsync(new NewSession { Id = "live-1" });
            await client.UpdateSessionAsync("live-1", new SessionUpdate { State = SessionState.Working });

            var events = await EventsAsync(tail, 2);
            events.ShouldBe([(2L, "session_created", "live-1"), (3L, "session_updated", "live-1")]);
            last = events[^1].Seq;
            tail.Signal(Posix.SigKill);
        }

        // While no tail runs, three more events are committed.
        await client.AddUsageAsync("live-1", new Usage(100));
        await client.TerminateSessionAsync("live-1", "done");
        await client.TerminateSessionAsync("before-tail");
        // Acknowledged at commit, applied live a moment later: wait, so the resume replays all three rather than some live.
        await TestTimeouts.Eventually(async () => (await client.GetSummaryAsync()).AsOfSeq >= 6, "the server's live view to apply seq 6");

        await using (var resumed = Cli.Start("tail", "--url", url, "--json", "--no-summary", "--since", last.ToString(CultureInfo.InvariantCulture)))
        {
            await resumed.WaitForLineAsync(l => l == $"# resumed after seq {last}: replaying 3 events", stderr: true);
            var replayed = await EventsAsync(resumed, 3);
            replayed.ShouldBe([(4L, "session_updated", "live-1"), (5L, "session_terminated", "live-1"), (6L, "session_terminated", "before-tail")]);

            await client.CreateSessionAsync(new NewSession { Id = "after-resume" });
            (await EventsAsync(resumed, 4))[3].ShouldBe((7L, "session_created", "after-resume"));
        }
    }

    [Fact]
    public async Task TailPrintsReadableLinesForOneSessionAndStopsOnCtrlC()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        await using var tail = Cli.Start("tail", "session:agent-7", "--url", server.BaseAddress.ToString());
        await tail.WaitForLineAsync(l => l.StartsWith("# joined session:agent-7 at seq", StringComparison.Ordinal), stderr: true);

        await client.CreateSessionAsync(new NewSession { Id = "someone-else" });
        await client.CreateSessionAsync(new NewSession { Id = "agent-7", Name = "readable" });
        await client.UpdateSessionAsync("agent-7", new SessionUpdate { State = SessionState.Error, ErrorMessage = "tool failed" });

        var created = await tail.WaitForLineAsync(l => l.Contains("session_created", StringComparison.Ordinal));
        created.ShouldContain("agent-7");
        created.ShouldContain("name=\"readable\"");
        var updated = await tail.WaitForLineAsync(l => l.Contains("session_updated", StringComparison.Ordinal));
        updated.ShouldContain("state=error (was initializing)");
        updated.ShouldContain("error_message=tool failed");
        tail.StdoutLines.ShouldNotContain(l => l.Contains("someone-else", StringComparison.Ordinal));

        tail.Signal(Posix.SigInt);
        (await tail.WaitForExitAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task AnUnknownTopicIsRefusedWithAClearMessage()
    {
        await using var server = await SwitchboardServer.StartAsync();

        var (code, process) = await Cli.RunAsync("tail", "nowhere", "--url", server.BaseAddress.ToString());

        code.ShouldBe(1);
        process.Output.ShouldContain("unmatched topic");
        await process.DisposeAsync();
    }

    [Fact]
    public async Task TailSaysWhenItCannotReachTheServerAndWhenItReconnects()
    {
        using var data = new TempDirectory();
        var urls = $"http://127.0.0.1:{FreePort.Next()}";
        await using var tail = Cli.Start("tail", "--url", urls, "--json", "--no-summary");
        var down = await tail.WaitForLineAsync(l => l.StartsWith("# cannot reach ", StringComparison.Ordinal), stderr: true);
        down.ShouldStartWith($"# cannot reach {urls}/: ");
        down.ShouldMatch(@"; retrying in [12](\.\d)? s$");

        await using (var server = await SwitchboardServer.StartAsync(dataDirectory: data.Path, urls: urls))
        {
            await tail.WaitForLineAsync(l => l.StartsWith("# joined sessions at seq 0 ", StringComparison.Ordinal), stderr: true);
            using var client = new SwitchboardClient(server.BaseAddress);
            await client.CreateSessionAsync(new NewSession { Id = "seen" });
            await EventsAsync(tail, 1);
        }

        await tail.WaitForLineAsync(l => l.StartsWith($"# cannot reach {urls}/", StringComparison.Ordinal), stderr: true, from: tail.StderrLines().Count);
        await using (await SwitchboardServer.StartAsync(dataDirectory: data.Path, urls: urls))
        {
            await tail.WaitForLineAsync(l => l == "# reconnected, resumed after seq 1: replaying 0 events", stderr: true);
        }
    }
}

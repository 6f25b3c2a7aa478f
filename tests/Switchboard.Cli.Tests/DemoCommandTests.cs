using System.Collections.Concurrent;
using System.Diagnostics;
using Switchboard.Client;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary><c>switchboard demo</c> as a child process against a real server, observed through the SDK.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task TheDemoShowsEveryStateWithinTenSecondsAndCleansUpOnCtrlC()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        // When each state first showed up, as Stopwatch timestamps; the clock starts at the demo's first event, so the
        // child's start-up (host, JIT, connecting) is not charged to the demo.
        var firstSeen = new ConcurrentDictionary<SessionState, long>();
        using var watching = new CancellationTokenSource();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = Task.Run(async () =>
        {
            await foreach (var item in client.SubscribeAsync("sessions", cancellationToken: watching.Token))
            {
                var state = item switch
                {
                    SessionCreatedEvent c => c.Session.State,
                    SessionUpdatedEvent u => u.State,
                    SessionTerminatedEvent => SessionState.Terminated,
                    _ => (SessionState?)null,
                };
                ready.TrySetResult();
                if (state is { } s)
                {
                    firstSeen.TryAdd(s, Stopwatch.GetTimestamp());
                }
            }
        });
        await ready.Task.Within(); // joined (its first item is the join's snapshot) before the demo starts

        await using var demo = Cli.Start("demo", "--url", server.BaseAddress.ToString(), "--sessions", "6");
        try
        {
            await TestTimeouts.Eventually(() => firstSeen.Count == SessionStates.All.Count,
                $"every state from the demo; seen so far: {string.Join(", ", firstSeen.Keys)}. Output:\n{demo.Output}", TimeSpan.FromSeconds(30));
        }
        finally
        {
            await watching.CancelAsync();
        }

        // The demo promises a newcomer every state within seconds (its first agents open with different moves and end
        // early: about 4 s of its own timers); 10 s leaves room for a loaded machine and still fails a demo that lost that.
        var start = firstSeen.Values.Min();
        var since = firstSeen.ToDictionary(kv => kv.Key, kv => Stopwatch.GetElapsedTime(start, kv.Value));
        since.Values.Max().ShouldBeLessThan(TimeSpan.FromSeconds(10), string.Join(", ", since.Select(kv => $"{kv.Key}: {kv.Value}")));
        var summary = await client.GetSummaryAsync();
        summary.TotalTokens.ShouldBeGreaterThan(0);
        summary.EstimatedCostUsd.ShouldBeGreaterThan(0);
        summary.ActiveCount.ShouldBeGreaterThan(0);

        demo.Signal(Posix.SigInt);
        (await demo.WaitForExitAsync()).ShouldBe(0, demo.Output);
        // Every session the demo started was terminated on the way out.
        (await client.GetSummaryAsync()).ActiveCount.ShouldBe(0, demo.Output);
        demo.StdoutLines.ShouldContain(l => l.StartsWith("Demo stopped:", StringComparison.Ordinal));
        try
        {
            await watcher;
        }
        catch (OperationCanceledException)
        {
        }
    }

    [Fact]
    public async Task TheDemoStopsOnItsOwnAfterItsDuration()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);

        var (code, demo) = await Cli.RunAsync("demo", "--url", server.BaseAddress.ToString(), "--sessions", "3", "--duration", "3s");

        code.ShouldBe(0, demo.Output);
        var count = await client.CountSessionsAsync();
        count.TotalSessions.ShouldBeGreaterThanOrEqualTo(3);
        count.ActiveSessions.ShouldBe(0);
        // One "+ " line per session it started: agents at the margin, sub-agents indented under them.
        demo.StdoutLines.Count(l => l.TrimStart().StartsWith("+ ", StringComparison.Ordinal)).ShouldBe((int)count.TotalSessions, demo.Output);
        await demo.DisposeAsync();
    }
}

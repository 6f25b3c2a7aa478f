using System.CommandLine;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard demo [--sessions N] [--duration D]</c>: a simulated fleet of agents against a running server, so the
/// dashboard comes alive. Runs until Ctrl+C or the duration, then terminates every session it started.
/// </summary>
internal static class DemoVerb
{
    private static readonly Option<int> Sessions = OptionValues.WholeNumber("--sessions",
        "How many agents run at once (default 8; 5 or more show every state within seconds).", defaultValue: 8, min: 1, max: 500);

    private static readonly Option<TimeSpan?> Duration = OptionValues.Duration("--duration",
        "Stop after this long: 90, 90s, 5m, 1h or 00:05:00 (default: until Ctrl+C).");

    public static Command Create() =>
        ClientVerb.Create("demo", "Run a simulated agent fleet against a server (Ctrl+C to stop).", RunAsync, Sessions, Duration);

    private static async Task<int> RunAsync(SwitchboardClient client, ParseResult result, CancellationToken cancellationToken)
    {
        var size = result.GetValue(Sessions);
        var duration = result.GetValue(Duration);
        var summary = await client.GetSummaryAsync(cancellationToken); // fails fast when nothing listens
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (duration is { } d)
        {
            stop.CancelAfter(d);
        }

        var log = Console.Out;
        await log.WriteLineAsync($"Demo fleet of {size} agents reporting to {client.BaseAddress} ({summary.ActiveCount} sessions already active).");
        await log.WriteLineAsync($"Open {client.BaseAddress} for the dashboard. {(duration is { } t ? $"Stops after {t}." : "Stop with Ctrl+C.")}");
        var fleet = new DemoFleet(client, size, log);
        await fleet.RunAsync(stop.Token);
        await log.WriteLineAsync($"Demo stopped: {fleet.Started} sessions run, {fleet.Tokens:N0} tokens, ${fleet.CostUsd:0.0000}.");
        return 0;
    }
}

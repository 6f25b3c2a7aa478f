using System.CommandLine;
using System.Globalization;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard demo [--sessions N] [--duration D]</c>: a simulated fleet of agents against a running server, so the
/// dashboard comes alive. Runs until Ctrl+C or the duration, then terminates every session it started.
/// </summary>
internal static class DemoCommand
{
    private static readonly Option<int> Sessions = new("--sessions")
    {
        Description = "How many agents run at once (default 8; 4 or more show every state within seconds).",
        DefaultValueFactory = _ => 8,
    };

    private static readonly Option<TimeSpan?> Duration = new("--duration")
    {
        Description = "Stop after this long: 90, 90s, 5m, 1h or 00:05:00 (default: until Ctrl+C).",
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value;
            if (TryParseDuration(text, out var duration))
            {
                return duration;
            }

            r.AddError($"--duration takes a positive time such as 90s, 5m, 1h or 00:05:00; got '{text}'.");
            return null;
        },
    };

    public static Command Create() =>
        ClientCommand.Create("demo", "Run a simulated agent fleet against a server (Ctrl+C to stop).", RunAsync, Sessions.InRange(1, 500), Duration);

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

    /// <summary>Seconds (<c>90</c>), a unit (<c>90s</c>, <c>5m</c>, <c>1h</c>, <c>500ms</c>) or a TimeSpan (<c>00:05:00</c>).</summary>
    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        text = text.Trim();
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                duration = TimeSpan.FromSeconds(n * seconds);
                return true;
            }
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain) && plain > 0)
        {
            duration = TimeSpan.FromSeconds(plain);
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
    }
}

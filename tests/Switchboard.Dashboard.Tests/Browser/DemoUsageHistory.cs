using Switchboard.Testing;

namespace Switchboard.Dashboard.Tests.Browser;

/// <summary>
/// An hour of believable usage for the Usage view: the server runs on a manual clock that starts an hour ago, and each
/// minute the demo fleet's busy sessions use tokens (more at some minutes than others), and now and then a short session
/// comes and goes. The clock ends about a minute before real time, so the browser's "now" is the end of the history.
/// </summary>
public static class DemoUsageHistory
{
    private static readonly string[] Busy = ["eval-suite", "code-gen-sdk", "translate-ui", "index-repo", "triage-inbox", "refactor-parser", "pr-review-4812"];

    /// <summary>A clock for the server, an hour before now.</summary>
    public static ManualTimeProvider Clock() => new(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(61));

    /// <summary>Creates the demo fleet, then writes <paramref name="minutes"/> minutes of usage, advancing the clock by one each.</summary>
    public static async Task CreateAsync(HttpClient api, ManualTimeProvider clock, int minutes = 60)
    {
        await DemoFleet.CreateAsync(api);
        for (var m = 0; m < minutes; m++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            var operations = new List<object>();
            for (var i = 0; i < Busy.Length; i++)
            {
                // A slow swell per session, out of phase with the others, and a quiet stretch for some.
                var level = 0.5 + 0.5 * Math.Sin((m + i * 9) / 7.0);
                if (level < 0.15 && i % 2 == 1)
                {
                    continue;
                }

                var input = (long)(2_000 + 18_000 * level * (i + 1) / Busy.Length);
                operations.Add(new { op = "usage", id = Busy[i], input_tokens = input, output_tokens = input / 5, cost_usd = Math.Round(input * 0.0000042m, 6) });
            }

            if (m % 6 == 0)
            {
                operations.Add(new { op = "create", id = $"short-{m}", state = "working", labels = new Dictionary<string, string> { ["team"] = m % 12 == 0 ? "ml" : "core", ["model"] = "sonnet" } });
            }
            else if (m % 6 == 4)
            {
                operations.Add(new { op = "terminate", id = $"short-{m - 4}", reason = "finished" });
            }

            await api.BatchAsync(operations);
        }
    }
}

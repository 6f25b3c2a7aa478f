using System.Diagnostics;
using Switchboard.LoadGen.Clients;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// The idle footprint (<c>--idle</c>, issue 59): per round, a fresh server on the default SQLite setup is timed from its
/// process start to the first <c>/healthz</c> that answers 200, its RSS read 2 s later, then it is used lightly for
/// <see cref="BenchOptions.IdleUse"/> (<see cref="LightUse"/>: a few agents' hooks, two dashboards, a session list now
/// and then) and its RSS read again. Then the fan-out run's idle phase on one more server: RSS per idle WebSocket
/// connection, after a full GC, as the main run measures it.
/// </summary>
internal sealed class IdleRun(BenchOptions options, TextWriter log)
{
    /// <summary>A fleet's quiet minute: 5 agents, one tool call a second each (10 hooks/s), watched by 2 dashboards.</summary>
    public static readonly HookLoad LightUse = new(5, 10, 2);

    public const int Rounds = 3;

    public async Task<IdleResults> RunAsync(BenchPaths paths)
    {
        var rounds = new List<IdleRound>();
        for (var round = 0; round < Rounds; round++)
        {
            rounds.Add(await RoundAsync(paths));
        }

        options.Scenarios = []; // only the idle phase: it opens the connections, measures and closes them
        options.MeasureIdle = true;
        var fanout = await new SystemRun(new SwitchboardTarget(options.SwitchboardEnvironment, options.SwitchboardDll), options, log).RunAsync(paths);
        var idle = fanout.Single(r => r.Scenario == "idle");
        return new IdleResults(rounds, idle.Connections, idle.IdleBytesPerConnection ?? double.NaN);
    }

    private async Task<IdleRound> RoundAsync(BenchPaths paths)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-idle-");
        var target = new SwitchboardTarget(options.SwitchboardEnvironment, options.SwitchboardDll);
        try
        {
            var clock = Stopwatch.StartNew();
            await target.StartAsync(paths, data.FullName);
            while (!await HealthyAsync(target))
            {
                await Task.Delay(1);
            }

            var startUp = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(2));
            var atStart = ProcStats.Rss(target.Server.Pid);

            using var http = new HttpClient { BaseAddress = target.Server.BaseAddress };
            var protocol = new PhoenixProtocol();
            await using (var dashboards = new SubscriberPool(target.Server.EndPoint, protocol))
            {
                await dashboards.GrowToAsync(LightUse.Dashboards, _ => ["sessions"], CancellationToken.None);
                var agents = HookRun.LightAsync(http, LightUse, options.IdleUse);
                while (!agents.IsCompleted)
                {
                    (await http.GetAsync("/api/sessions")).Dispose();
                    await Task.WhenAny(agents, Task.Delay(TimeSpan.FromSeconds(5)));
                }

                await agents;
            }

            var afterUse = ProcStats.Rss(target.Server.Pid);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] idle: up in {startUp.TotalMilliseconds:F0} ms, RSS {atStart / 1048576.0:F1} MB at start, " +
                $"{afterUse / 1048576.0:F1} MB after {options.IdleUse.TotalSeconds:F0} s of light use");
            return new IdleRound(startUp, atStart, afterUse);
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    private static async Task<bool> HealthyAsync(SwitchboardTarget target)
    {
        try
        {
            using var response = await target.Http.GetAsync("/healthz");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}

/// <summary>One fresh server: process start to the first healthy <c>/healthz</c>, and its RSS at start and after light use.</summary>
internal sealed record IdleRound(TimeSpan StartUp, long RssAtStart, long RssAfterUse);

/// <summary>The idle rounds, and the fan-out run's RSS per idle connection.</summary>
internal sealed record IdleResults(IReadOnlyList<IdleRound> Rounds, int Connections, double BytesPerConnection)
{
    public double MedianStartUpMs => AbResults.Median(Rounds.Select(r => r.StartUp.TotalMilliseconds));

    public double MedianRssAtStart => AbResults.Median(Rounds.Select(r => (double)r.RssAtStart));

    public double MedianRssAfterUse => AbResults.Median(Rounds.Select(r => (double)r.RssAfterUse));
}

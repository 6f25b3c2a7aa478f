using System.Diagnostics;
using Switchboard.LoadGen.Clients;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Every fan-out scenario against one system, on one server process, in a fixed order: idle memory and the two
/// fixed rates at N connections, then the saturated and mixed scenarios at the smaller N.
/// </summary>
internal sealed partial class SystemRun(Target target, BenchOptions options, TextWriter log)
{
    private const int BenchSessions = 8;
    private const int MixSessions = 10;

    // With SaturatedWarmupUntilTiered, the saturated scenario warms up until tiered compilation settles, at most this long.
    private static readonly TimeSpan SaturatedWarmUpLimit = TimeSpan.FromSeconds(20);

    private static readonly string[] Bench = [.. Enumerable.Range(0, BenchSessions).Select(i => $"bench-{i}")];
    private static readonly string[] Mix = [.. Enumerable.Range(0, MixSessions).Select(i => $"mix-{i}")];

    private readonly List<ScenarioResult> _results = [];
    private SubscriberProtocol _protocol = null!;
    private SubscriberPool _pool = null!;
    private long _nextMarker = 1;

    private int Pid => target.Server.Pid;

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(BenchPaths paths)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-bench-");
        try
        {
            await target.StartAsync(paths, data.FullName);
            Log($"started pid {Pid} at {target.Server.BaseAddress}");
            await target.PrepareSessionsAsync([.. Bench, .. Mix]);
            _protocol = target.CreateProtocol();
            await using (_pool = new SubscriberPool(target.Server.EndPoint, _protocol))
            {
                await WarmUpAsync();
                if (options.MeasureIdle || options.Runs("fixed"))
                {
                    await IdleAsync();
                }
                else
                {
                    await _pool.GrowToAsync(options.SaturatedConnections, _ => [target.GlobalTopic], CancellationToken.None);
                }
                if (options.Runs("fixed") && target.Supports("fixed"))
                {
                    await FixedRateAsync("fixed 1 msg/s", 1, options.SlowRateDuration);
                    await FixedRateAsync("fixed 50 msg/s", 50, options.FastRateDuration);
                }

                await _pool.ShrinkToAsync(options.SaturatedConnections);
                if (options.Runs("saturated") && target.Supports("saturated"))
                {
                    await SaturatedAsync();
                }

                if (options.Runs("mixed") && target.Supports("mixed"))
                {
                    await MixedAsync();
                }

                if (options.Runs("overload") && target.Supports("overload"))
                {
                    await OverloadAsync();
                }

                if (options.Runs("overload-cws") && target.Supports("overload"))
                {
                    await OverloadClientWebSocketAsync();
                }
            }

            return _results;
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    /// <summary>JIT and pools warm: a few subscribers, a burst of publishes, then nothing connected.</summary>
    private async Task WarmUpAsync()
    {
        await _pool.GrowToAsync(50, _ => [target.GlobalTopic], CancellationToken.None);
        await RunWindowedAsync(50, TimeSpan.FromSeconds(2), TimeSpan.Zero);
        await _pool.ShrinkToAsync(0);
        Log("warmed up");
    }

    private async Task IdleAsync()
    {
        var n = options.Connections;
        await CollectAsync();
        var rss0 = ProcStats.Rss(Pid);

        var connect = Stopwatch.StartNew();
        await _pool.GrowToAsync(n, _ => [target.GlobalTopic], CancellationToken.None);
        connect.Stop();
        Log($"{n} connected and joined in {connect.Elapsed.TotalSeconds:F1} s");

        await CollectAsync();
        var rssN = ProcStats.Rss(Pid);
        // CPU with everything idle but heartbeats flowing.
        var cpu0 = CpuWindow.Start(Pid);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var (cpu, selfCpu) = cpu0.Stop();
        _results.Add(new ScenarioResult
        {
            System = target.Name,
            Scenario = "idle",
            Connections = n,
            Seconds = 5,
            CpuSeconds = cpu,
            LoadGeneratorCpuSeconds = selfCpu,
            PeakRssBytes = ProcStats.PeakRss(Pid),
            RssIdleBaseline = rss0,
            RssIdleConnected = rssN,
            ConnectSeconds = connect.Elapsed.TotalSeconds,
            UnexpectedCloses = _protocol.UnexpectedCloses,
        });
        Log($"idle: RSS {rss0 / 1048576.0:F1} MiB -> {rssN / 1048576.0:F1} MiB, {(rssN - rss0) / (double)n / 1024:F1} KiB/connection, idle CPU {cpu:F2} s/5 s");
    }

    /// <summary>A full GC in a .NET server, then 2 s to settle; a native one has nothing to collect.</summary>
    private async Task CollectAsync()
    {
        if (target.Managed)
        {
            await GcTrigger.CollectAsync(Pid);
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
    }

    /// <summary>Publishes at a fixed rate for a while, one event at a time to the global topic.</summary>
    private Task FixedRateAsync(string name, int rate, TimeSpan duration)
    {
        var n = _pool.Count;
        var total = (int)(rate * duration.TotalSeconds);
        var tracker = NewTracker(total);
        return OpenLoopAsync(name, n, tracker, total, rate,
            (k, onError) => PublishOneAsync(tracker, tracker.Reserve(n)!.Value, Bench[k % BenchSessions], onError));
    }

    /// <summary>
    /// Open loop: the <paramref name="count"/> publishes go out on schedule, <paramref name="perSecond"/>, whatever the
    /// server does; then every delivery is awaited and the scenario recorded.
    /// </summary>
    private async Task OpenLoopAsync(string name, int n, DeliveryTracker tracker, int count, int perSecond, Func<int, Action, Task> publish)
    {
        var errors = 0L;
        ProcStats.ResetPeak(Pid);
        var counters0 = await target.ReadWriteCountersAsync();
        var cpu0 = CpuWindow.Start(Pid);
        var clock = Stopwatch.StartNew();
        _protocol.Sink = tracker;
        var inFlight = new List<Task>(count);
        for (var k = 0; k < count; k++)
        {
            await WaitUntilDueAsync(clock, k, perSecond);
            inFlight.Add(publish(k, () => Interlocked.Increment(ref errors)));
        }

        await Task.WhenAll(inFlight);
        var complete = await tracker.WaitForAllAsync(TimeSpan.FromSeconds(30));
        var seconds = clock.Elapsed.TotalSeconds;
        var (cpu, selfCpu) = cpu0.Stop();
        _protocol.Sink = null;
        Record(name, n, tracker, seconds, cpu, selfCpu, tracker.Delivered, tracker.Delivered / seconds, errors, complete, Ratio(counters0, await target.ReadWriteCountersAsync()));
    }

    /// <summary>As many events as the system takes, with a bounded number in flight, measured after a warm-up.</summary>
    private async Task SaturatedAsync()
    {
        var n = _pool.Count;
        var counters0 = await target.ReadWriteCountersAsync();
        await using var scrapes = ScrapeStorm.Start(target.Http, target.ScrapesPerSecond);
        var (tracker, window, errors) = await RunWindowedAsync(n, options.SaturatedMeasure, options.SaturatedWarmup);
        if (target.ScrapesPerSecond > 0)
        {
            Log($"saturated: {scrapes.Completed:N0} /metrics scrapes, slowest {scrapes.Slowest.TotalMilliseconds:F0} ms");
        }

        Record("saturated", n, tracker, window.Seconds, window.Cpu, window.SelfCpu, window.Deliveries, window.Deliveries / window.Seconds, errors, window.Complete,
            Ratio(counters0, await target.ReadWriteCountersAsync()));
    }

    private async Task<(DeliveryTracker Tracker, MeasuredWindow Window, long Errors)> RunWindowedAsync(int n, TimeSpan measure, TimeSpan warmup)
    {
        var tracker = NewTracker(1_000_000);
        var permits = new SemaphoreSlim(options.Window); // not disposed: a late completion may still release it
        tracker.EventCompleted = () => permits.Release();
        using var stop = new CancellationTokenSource();
        var errors = 0L;
        ProcStats.ResetPeak(Pid);
        _protocol.Sink = tracker;
        var lanes = Enumerable.Range(0, options.Publishers).Select(lane => Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await permits.WaitAsync(stop.Token);
                    if (tracker.Reserve(n) is not { } marker)
                    {
                        return;
                    }

                    await PublishOneAsync(tracker, marker, Bench[lane % BenchSessions], () => Interlocked.Increment(ref errors));
                }
            }
            catch (OperationCanceledException)
            {
            }
        })).ToArray();

        await Task.Delay(warmup);
        if (warmup > TimeSpan.Zero && options.SaturatedWarmupUntilTiered)
        {
            var (elapsed, tiering) = await TieredWarmUp.RunAsync(Pid, SaturatedWarmUpLimit, step => Task.Delay(step));
            Log($"saturated: warmed up in {(warmup + elapsed).TotalSeconds:F0} s (tiered compilation {tiering:F2} s of CPU)");
        }

        var cpu0 = CpuWindow.Start(Pid);
        var delivered0 = tracker.Delivered;
        var clock = Stopwatch.StartNew();
        await Task.Delay(measure);
        var seconds = clock.Elapsed.TotalSeconds;
        var (cpu, selfCpu) = cpu0.Stop();
        var delivered = tracker.Delivered - delivered0;
        await stop.CancelAsync();
        await Task.WhenAll(lanes);
        var complete = await tracker.WaitForAllAsync(TimeSpan.FromSeconds(60));
        tracker.EventCompleted = null;
        _protocol.Sink = null;
        return (tracker, new MeasuredWindow(seconds, cpu, selfCpu, delivered, complete), errors);
    }

    /// <summary>
    /// Subscribers on the global topic and one session topic each; every tick publishes one event per session in one
    /// request, so each event goes to the global topic and to its session's topic within the same millisecond.
    /// </summary>
    private async Task MixedAsync()
    {
        await _pool.JoinAsync(i => [target.SessionTopic(Mix[i % MixSessions])], CancellationToken.None);
        var n = _pool.Count;
        var watchers = new int[MixSessions];
        for (var i = 0; i < n; i++)
        {
            watchers[i % MixSessions]++;
        }

        const int ticksPerSecond = 20;
        var ticks = (int)(ticksPerSecond * options.MixedDuration.TotalSeconds);
        var tracker = NewTracker(ticks * MixSessions);
        await OpenLoopAsync($"mixed tick ({MixSessions} sessions x {ticksPerSecond}/s)", n, tracker, ticks, ticksPerSecond, (_, onError) =>
        {
            var events = new (long Marker, string SessionId)[MixSessions];
            for (var s = 0; s < MixSessions; s++)
            {
                events[s] = (tracker.Reserve(n + watchers[s])!.Value, Mix[s]);
            }

            return PublishTickAsync(tracker, events, onError);
        });
    }

    private void Log(string message) => log.WriteLine($"[{DateTime.Now:HH:mm:ss}] {target.Name}: {message}");

    private sealed record MeasuredWindow(double Seconds, double Cpu, double SelfCpu, long Deliveries, bool Complete);
}

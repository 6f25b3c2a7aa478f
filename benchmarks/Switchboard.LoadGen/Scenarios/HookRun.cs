using System.Diagnostics;
using System.Text;
using Switchboard.LoadGen.Clients;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Report;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Hook round trips (<c>--hooks</c>, issues 45 and 59): Claude Code sessions report through <c>POST /hooks/claude-code</c>,
/// each tool call a <c>PreToolUse</c> and, half a period later, its <c>PostToolUse</c>, while dashboards watch
/// <c>sessions</c> over the Phoenix socket (<see cref="HookLoad"/>: how many of each, and how fast). Nothing is pending,
/// so every hook is answered as soon as its state change (the tool named, then cleared: one <c>session_updated</c>
/// each) is committed. The schedule is open-loop: each hook's round trip is timed from when it was due, so a server that
/// falls behind is charged for the wait too, after a warm-up that lasts until the server's tiered compilation has settled; each event's delivery is timed from its hook's send to each dashboard.
/// Afterwards the log must hold one event per answered hook, and every dashboard must have every one of them.
/// </summary>
internal sealed class HookRun(BenchOptions options, TextWriter log)
{
    /// <summary>The longest warm-up: the agents run until the server's tiered compilation has settled, or this long.</summary>
    private static readonly TimeSpan WarmUpLimit = TimeSpan.FromSeconds(60);

    /// <summary>The warm-up of a server without .NET's tiering thread to watch (the peer, whose JIT is Bun's): a fixed span.</summary>
    private static readonly TimeSpan UnmanagedWarmUp = TimeSpan.FromSeconds(10);

    /// <summary>The <c>--hooks</c> run: issue 45's load unless the options say otherwise, on a fresh SQLite server.</summary>
    public async Task<HookResults> RunAsync(BenchPaths paths)
    {
        return await MeasureAsync(paths, new SwitchboardTarget(options.SwitchboardEnvironment, options.SwitchboardDll), HookLoad.From(options, HookLoad.Issue45));
    }

    /// <summary>One measured window of <paramref name="load"/> on <paramref name="target"/>, started here on a fresh data directory and stopped after.</summary>
    public async Task<HookResults> MeasureAsync(BenchPaths paths, Target target, HookLoad load)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-hooks-");
        try
        {
            await target.StartAsync(paths, data.FullName);
            // Idle for a moment first: the resident set of the server as started, before anything has been asked of it.
            await Task.Delay(TimeSpan.FromSeconds(2));
            var rssAtStart = ProcStats.Rss(target.Server.Pid);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] hooks: {target.Name} started pid {target.Server.Pid}, RSS {rssAtStart / 1048576.0:F0} MB; {load}");
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = load.Agents, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
            {
                BaseAddress = target.Server.BaseAddress,
                Timeout = TimeSpan.FromMinutes(2),
            };

            var sink = new HookDeliverySink(load.Dashboards, load.Agents, load.HooksPerAgent(options.HookDuration));
            var protocol = new PhoenixProtocol();
            await using var pool = new SubscriberPool(target.Server.EndPoint, protocol);
            await pool.GrowToAsync(load.Dashboards, _ => ["sessions"], CancellationToken.None);
            protocol.Sink = sink;

            await Task.WhenAll(Enumerable.Range(0, load.Agents).Select(a => PostAsync(http, Body(a, "SessionStart"))));
            var (warm, _) = await TieredWarmUp.RunAsync(target.Server.Pid, WarmUpLimit, step => RunAgentsAsync(http, load, step, measured: null, sink: null),
                target.Managed ? null : UnmanagedWarmUp);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] hooks: {target.Name} warmed up in {warm.TotalSeconds:F0} s");

            var head0 = await IngestRun.HeadAsync(target);
            sink.From = head0;
            var cpu0 = ProcStats.CpuSeconds(target.Server.Pid);
            var ownCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var latencies = new LatencyHistogram();
            var clock = Stopwatch.StartNew();
            var (answered, failed) = await RunAgentsAsync(http, load, options.HookDuration, latencies, sink);
            var seconds = clock.Elapsed.TotalSeconds;
            var cpu = ProcStats.CpuSeconds(target.Server.Pid) - cpu0;
            var ownCpu = (Process.GetCurrentProcess().TotalProcessorTime - ownCpu0).TotalSeconds;
            var rss = ProcStats.Rss(target.Server.Pid);
            var head = await IngestRun.HeadAsync(target);
            sink.To = head;
            var deadline = Stopwatch.StartNew();
            while (load.Dashboards > 0 && sink.Fewest < head - head0 && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100);
            }

            // With no dashboards (the server's cost without the fan-out) there is no delivery to wait for or count.
            var (fewest, most) = load.Dashboards > 0 ? (sink.Fewest, sink.Most) : (head - head0, head - head0);
            var result = new HookResults(load, answered, failed, head - head0, seconds, cpu, ownCpu, rssAtStart, rss, latencies, sink.Latencies(), fewest, most,
                sink.BytesPerMessage, protocol.UnexpectedCloses, MachineInfo.LoadAverage());
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] hooks: {target.Name}: {answered:N0} answered ({result.HooksPerSecond:N0}/s), {failed} failed, " +
                $"p50 {latencies.Percentile(0.5) / 1000.0:F2} ms, p99 {latencies.Percentile(0.99) / 1000.0:F2} ms, max {latencies.Max / 1000.0:F1} ms, " +
                $"delivery p99 {result.Deliveries.Percentile(0.99) / 1000.0:F2} ms, {result.CpuMicrosPerHook:F1} µs server CPU/hook, " +
                $"{result.LoadGenMicrosPerHook:F1} µs load generator CPU/hook, RSS {rss / 1048576.0:F0} MB, {head - head0:N0} events appended, " +
                (load.Dashboards > 0 ? $"each dashboard got {fewest:N0}–{most:N0}" : "no dashboard watching"));
            return result;
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    /// <summary>A light load for <paramref name="duration"/> against a server that is already up: each agent's session started, then its tool calls.</summary>
    public static async Task LightAsync(HttpClient http, HookLoad load, TimeSpan duration)
    {
        await Task.WhenAll(Enumerable.Range(0, load.Agents).Select(a => PostAsync(http, Body(a, "SessionStart"))));
        await RunAgentsAsync(http, load, duration, measured: null, sink: null);
    }

    /// <summary>Every agent on its open-loop schedule for <paramref name="duration"/>; round trips into <paramref name="measured"/>.</summary>
    private static async Task<(long Answered, long Failed)> RunAgentsAsync(HttpClient http, HookLoad load, TimeSpan duration, LatencyHistogram? measured,
        HookDeliverySink? sink)
    {
        long answered = 0, failed = 0;
        var start = Stopwatch.GetTimestamp();
        var period = load.Period;
        await Task.WhenAll(Enumerable.Range(0, load.Agents).Select(a => Task.Run(async () =>
        {
            // Agents start spread over one period, so the hooks arrive evenly.
            var offset = period * a / load.Agents;
            var sent = 0;
            for (var call = 0; ; call++)
            {
                if (offset + period * call >= duration)
                {
                    return; // a call started is finished: its PostToolUse clears what its PreToolUse named
                }

                foreach (var (name, due) in new[] { ("PreToolUse", offset + period * call), ("PostToolUse", offset + period * call + period / 2) })
                {
                    var wait = due - Stopwatch.GetElapsedTime(start);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait);
                    }

                    sink?.Sending(a, sent++);
                    var ok = await PostAsync(http, Body(a, name));
                    var took = Stopwatch.GetElapsedTime(start) - due;
                    if (ok)
                    {
                        Interlocked.Increment(ref answered);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                    }

                    if (measured is not null)
                    {
                        lock (measured)
                        {
                            measured.Record((long)took.TotalMicroseconds);
                        }
                    }
                }
            }
        })));
        return (answered, failed);
    }

    private static async Task<bool> PostAsync(HttpClient http, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/hooks/claude-code", content);
        await response.Content.LoadIntoBufferAsync();
        return response.IsSuccessStatusCode;
    }

    /// <summary>What Claude Code's HTTP hooks post (docs/hooks.md), for agent <paramref name="agent"/>.</summary>
    private static string Body(int agent, string hook) => hook switch
    {
        "SessionStart" => $$"""{"session_id":"bench-{{agent}}","transcript_path":"/tmp/bench-{{agent}}.jsonl","cwd":"/tmp","hook_event_name":"SessionStart","source":"startup"}""",
        "PreToolUse" => $$$"""{"session_id":"bench-{{{agent}}}","transcript_path":"/tmp/bench-{{{agent}}}.jsonl","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}""",
        _ => $$$"""{"session_id":"bench-{{{agent}}}","transcript_path":"/tmp/bench-{{{agent}}}.jsonl","cwd":"/tmp","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"ls"},"tool_response":{"stdout":""}}""",
    };
}

/// <summary>
/// How many agents send hooks at what rate over all of them, while how many dashboards watch. Issue 45's load is the
/// saturating one; issue 59's is a fleet's everyday.
/// </summary>
internal sealed record HookLoad(int Agents, int HooksPerSecond, int Dashboards)
{
    public static readonly HookLoad Issue45 = new(1_000, 10_000, 100);

    public static readonly HookLoad Everyday = new(200, 1_000, 20);

    /// <summary>Each agent's tool call period: two hooks per call.</summary>
    public TimeSpan Period => TimeSpan.FromSeconds(2.0 * Agents / HooksPerSecond);

    /// <summary>The most hooks an agent sends in a window of <paramref name="duration"/>, with room for the call that straddles its end.</summary>
    public int HooksPerAgent(TimeSpan duration) => 2 * ((int)Math.Ceiling(duration / Period) + 1);

    /// <summary>The options' <c>--hook-agents</c>, <c>--hook-rate</c> and <c>--hook-dashboards</c> over <paramref name="defaults"/>; a rate left unset is 10 hooks a second an agent.</summary>
    public static HookLoad From(BenchOptions options, HookLoad defaults)
    {
        var agents = options.HookAgents ?? defaults.Agents;
        return new(agents, options.HookRate ?? (options.HookAgents is null ? defaults.HooksPerSecond : agents * 10), options.HookDashboards ?? defaults.Dashboards);
    }

    public override string ToString() => $"{Agents:N0} agents, {HooksPerSecond:N0} hooks/s, {Dashboards:N0} dashboards";
}

/// <summary>The measured window of the hook run: round trips timed from when each hook was due, deliveries from its send to each dashboard.</summary>
internal sealed record HookResults(HookLoad Workload, long Answered, long Failed, long EventsAppended, double Seconds, double CpuSeconds, double LoadGenCpuSeconds,
    long RssAtStart, long RssAfter, LatencyHistogram Latencies, LatencyHistogram Deliveries,
    long FewestDelivered, long MostDelivered, double BytesPerMessage, int DashboardsClosed, string LoadAverage)
{
    public int Agents => Workload.Agents;

    public double HooksPerSecond => Answered / Seconds;

    public double CpuMicrosPerHook => CpuSeconds * 1e6 / Math.Max(1, Answered);

    /// <summary>The load generator's own CPU (agents and dashboards) per answered hook: the other half of the two cores.</summary>
    public double LoadGenMicrosPerHook => LoadGenCpuSeconds * 1e6 / Math.Max(1, Answered);

    /// <summary>One event per answered hook, every one on every dashboard, nothing failed.</summary>
    public bool Complete => Failed == 0 && EventsAppended == Answered && FewestDelivered == EventsAppended && MostDelivered == EventsAppended && DashboardsClosed == 0;
}

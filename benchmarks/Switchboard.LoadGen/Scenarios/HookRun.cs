using System.Diagnostics;
using System.Text;
using Switchboard.LoadGen.Clients;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Report;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Hook round trips (<c>--hooks</c>, issue 45): 1,000 Claude Code sessions (<c>--hook-agents N</c>) report through <c>POST /hooks/claude-code</c>,
/// each making <see cref="ToolCallsPerSecond"/> tool calls a second (a <c>PreToolUse</c>, and half a period later its
/// <c>PostToolUse</c>), while 100 dashboards watch <c>sessions</c> over the Phoenix socket. Nothing is pending, so every
/// hook is answered as soon as its state change (the tool named, then cleared: one <c>session_updated</c> each) is
/// committed. The schedule is open-loop: each hook's round trip is timed from when it was due, so a server that falls
/// behind is charged for the wait too. Afterwards the log must hold one event per answered hook, and every dashboard
/// must have every one of them.
/// </summary>
internal sealed class HookRun(BenchOptions options, TextWriter log)
{
    public const int Dashboards = 100;
    public const int ToolCallsPerSecond = 5;

    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1.0 / ToolCallsPerSecond);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);

    private readonly int _agents = options.HookAgents;

    public async Task<HookResults> RunAsync(BenchPaths paths)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-hooks-");
        var target = new SwitchboardTarget();
        try
        {
            await target.StartAsync(paths, data.FullName);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] hooks: Switchboard started pid {target.Server.Pid}");
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = _agents, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
            {
                BaseAddress = target.Server.BaseAddress,
                Timeout = TimeSpan.FromMinutes(2),
            };

            var sink = new SeqRangeSink(Dashboards);
            var protocol = new PhoenixProtocol();
            await using var pool = new SubscriberPool(target.Server.EndPoint, protocol);
            await pool.GrowToAsync(Dashboards, _ => ["sessions"], CancellationToken.None);
            protocol.Sink = sink;

            await Task.WhenAll(Enumerable.Range(0, _agents).Select(a => PostAsync(http, Body(a, "SessionStart"))));
            await RunAgentsAsync(http, WarmUp, measured: null);

            var head0 = await IngestRun.HeadAsync(target);
            sink.From = head0;
            var cpu0 = ProcStats.CpuSeconds(target.Server.Pid);
            var ownCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var latencies = new LatencyHistogram();
            var clock = Stopwatch.StartNew();
            var (answered, failed) = await RunAgentsAsync(http, options.HookDuration, latencies);
            var seconds = clock.Elapsed.TotalSeconds;
            var cpu = ProcStats.CpuSeconds(target.Server.Pid) - cpu0;
            var ownCpu = (Process.GetCurrentProcess().TotalProcessorTime - ownCpu0).TotalSeconds;
            var head = await IngestRun.HeadAsync(target);
            sink.To = head;
            var deadline = Stopwatch.StartNew();
            while (sink.Fewest < head - head0 && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100);
            }

            var result = new HookResults(_agents, answered, failed, head - head0, seconds, cpu, ownCpu, latencies, sink.Fewest, sink.Most, protocol.UnexpectedCloses,
                MachineInfo.LoadAverage());
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] hooks: {answered:N0} answered ({result.HooksPerSecond:N0}/s), {failed} failed, " +
                $"p50 {latencies.Percentile(0.5) / 1000.0:F1} ms, p99 {latencies.Percentile(0.99) / 1000.0:F1} ms, max {latencies.Max / 1000.0:F1} ms, " +
                $"{result.CpuMicrosPerHook:F1} µs server CPU/hook, {result.LoadGenMicrosPerHook:F1} µs load generator CPU/hook, {head - head0:N0} events appended, each dashboard got {sink.Fewest:N0}–{sink.Most:N0}");
            return result;
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    /// <summary>Every agent on its open-loop schedule for <paramref name="duration"/>; round trips into <paramref name="measured"/>.</summary>
    private async Task<(long Answered, long Failed)> RunAgentsAsync(HttpClient http, TimeSpan duration, LatencyHistogram? measured)
    {
        long answered = 0, failed = 0;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, _agents).Select(a => Task.Run(async () =>
        {
            // Agents start spread over one period, so the hooks arrive evenly.
            var offset = Period * a / _agents;
            for (var call = 0; ; call++)
            {
                if (offset + Period * call >= duration)
                {
                    return; // a call started is finished: its PostToolUse clears what its PreToolUse named
                }

                foreach (var (name, due) in new[] { ("PreToolUse", offset + Period * call), ("PostToolUse", offset + Period * call + Period / 2) })
                {

                    var wait = due - Stopwatch.GetElapsedTime(start);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait);
                    }

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

/// <summary>The measured window of the hook run.</summary>
internal sealed record HookResults(int Agents, long Answered, long Failed, long EventsAppended, double Seconds, double CpuSeconds, double LoadGenCpuSeconds,
    LatencyHistogram Latencies,
    long FewestDelivered, long MostDelivered, int DashboardsClosed, string Load)
{
    public double HooksPerSecond => Answered / Seconds;

    public double CpuMicrosPerHook => CpuSeconds * 1e6 / Math.Max(1, Answered);

    /// <summary>The load generator's own CPU (agents and dashboards) per answered hook: the other half of the two cores.</summary>
    public double LoadGenMicrosPerHook => LoadGenCpuSeconds * 1e6 / Math.Max(1, Answered);

    /// <summary>One event per answered hook, every one on every dashboard, nothing failed.</summary>
    public bool Complete => Failed == 0 && EventsAppended == Answered && FewestDelivered == EventsAppended && MostDelivered == EventsAppended && DashboardsClosed == 0;
}

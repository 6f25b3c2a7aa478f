using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Report;
using Switchboard.LoadGen.Servers;
using Switchboard.Testing;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Approvals (<c>--approvals</c>, issue 45), in two parts:
/// <list type="bullet">
/// <item>Across nodes: two nodes on one PostgreSQL. Claude Code's <c>PermissionRequest</c> hook is held on node A; an
/// operator reads the pending approval on node B and answers it there; the time from sending the answer to the held hook's
/// answer reaching the agent is the round trip. <see cref="CrossNodeAgents"/> agents ask <see cref="CrossNodeRounds"/>
/// times each, one approval at a time, <see cref="CrossNodePause"/> after the previous answer.</item>
/// <item>Held: <see cref="HeldHooks"/> hooks held at once on one node (SQLite). The node's memory before and with them
/// gives the cost per held request; a steady writer's <c>PATCH</c> round trips before and while they are held show
/// whether the others notice.</item>
/// </list>
/// </summary>
internal sealed class ApprovalRun(BenchOptions options, TextWriter log)
{
    public const int CrossNodeAgents = 20;
    public const int CrossNodeRounds = 25;

    /// <summary>
    /// How long an agent works before it asks again, after its previous answer. Approvals come at a person's pace; back to
    /// back, 20 agents asked about 270 times a second, and on two cores shared by two nodes, PostgreSQL and the load
    /// generator the round trip then measured the queue (p50 13 ms with one agent, 27 with 5, 42 with 10, 74 with 20).
    /// </summary>
    public static readonly TimeSpan CrossNodePause = TimeSpan.FromMilliseconds(250);
    public const int HeldHooks = 10_000;
    public const int WritesPerSecond = 200;

    private static readonly TimeSpan WriterWindow = TimeSpan.FromSeconds(10);

    public async Task<ApprovalResults> RunAsync(BenchPaths paths)
    {
        var crossNode = await CrossNodeAsync(paths);
        var held = await HeldAsync(paths);
        return new ApprovalResults(crossNode, held, MachineInfo.LoadAverage());
    }

    private async Task<CrossNodeResult> CrossNodeAsync(BenchPaths paths)
    {
        await using var postgres = await PostgresCluster.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("switchboard");
        var data = Directory.CreateTempSubdirectory("switchboard-approvals-");
        var nodes = new List<SwitchboardTarget>();
        try
        {
            foreach (var name in new[] { "a", "b" })
            {
                var node = new SwitchboardTarget(new Dictionary<string, string>(options.SwitchboardEnvironment)
                {
                    ["SWITCHBOARD_STORE"] = "postgres",
                    ["SWITCHBOARD_CONNECTION_STRING"] = connectionString,
                });
                await node.StartAsync(paths, Directory.CreateDirectory(Path.Combine(data.FullName, name)).FullName);
                nodes.Add(node);
            }

            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] approvals: PostgreSQL {postgres.Port}, nodes {nodes[0].Server.Pid} (hooks) and {nodes[1].Server.Pid} (operator)");
            using var agentHttp = Client(nodes[0], CrossNodeAgents * 2);
            using var operatorHttp = Client(nodes[1], CrossNodeAgents * 2);
            var latencies = new LatencyHistogram();
            long answered = 0, wrong = 0;

            // A few rounds first, unmeasured, so both nodes' code is compiled before the window.
            await Task.WhenAll(Enumerable.Range(0, CrossNodeAgents).Select(a => AgentAsync(a, 5, measured: null)));
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, CrossNodeAgents).Select(a => AgentAsync(a, CrossNodeRounds, latencies)));
            var perSecond = answered / clock.Elapsed.TotalSeconds;
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] approvals across nodes: {answered:N0} answered ({perSecond:N0}/s), {wrong} wrong, " +
                $"p50 {latencies.Percentile(0.5) / 1000.0:F1} ms, p99 {latencies.Percentile(0.99) / 1000.0:F1} ms, max {latencies.Max / 1000.0:F1} ms");
            return new CrossNodeResult(answered, wrong, latencies, perSecond);

            async Task AgentAsync(int agent, int rounds, LatencyHistogram? measured)
            {
                var session = $"cross-{agent}";
                (await PostHookAsync(agentHttp, Hook(session, "SessionStart"))).EnsureSuccessStatusCode();
                for (var round = 0; round < rounds; round++)
                {
                    await Task.Delay(CrossNodePause);
                    var allow = round % 2 == 0;
                    var hook = PostHookAsync(agentHttp, Hook(session, "PermissionRequest"));
                    var id = await PendingAsync(operatorHttp, session);
                    var sent = Stopwatch.GetTimestamp();
                    var answer = operatorHttp.PostAsync($"/api/sessions/{Id(session)}/approvals/{id}",
                        new StringContent($$"""{"decision":"{{(allow ? "allow" : "deny")}}"}""", Encoding.UTF8, "application/json"));
                    using var response = await hook;
                    var took = Stopwatch.GetElapsedTime(sent);
                    (await answer).EnsureSuccessStatusCode();
                    var behavior = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement
                        .GetProperty("hookSpecificOutput").GetProperty("decision").GetProperty("behavior").GetString();
                    if (measured is null)
                    {
                        continue;
                    }

                    if (response.IsSuccessStatusCode && behavior == (allow ? "allow" : "deny"))
                    {
                        Interlocked.Increment(ref answered);
                    }
                    else
                    {
                        Interlocked.Increment(ref wrong);
                    }

                    lock (measured)
                    {
                        measured.Record((long)took.TotalMicroseconds);
                    }
                }
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            data.Delete(recursive: true);
        }
    }

    private async Task<HeldResult> HeldAsync(BenchPaths paths)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-held-");
        var target = new SwitchboardTarget(options.SwitchboardEnvironment);
        try
        {
            await target.StartAsync(paths, data.FullName);
            var pid = target.Server.Pid;
            using var http = Client(target, HeldHooks + 100);
            using var writer = Client(target, 100); // its own connections, so the held ones never stand in its way on this side
            await Task.WhenAll(Enumerable.Range(0, HeldHooks).Select(a => PostHookAsync(http, Hook($"held-{a}", "SessionStart"))));
            await target.PrepareSessionsAsync(["writer"]);
            await WriteSteadilyAsync(writer, TimeSpan.FromSeconds(3), null); // warm-up
            var before = new LatencyHistogram();
            await WriteSteadilyAsync(writer, WriterWindow, before);
            await GcTrigger.CollectAsync(pid);
            var rssBefore = ProcStats.Rss(pid);
            var heldBefore = await PendingCountAsync(target);

            var hooks = Enumerable.Range(0, HeldHooks).Select(a => PostHookAsync(http, Hook($"held-{a}", "PermissionRequest"))).ToList();
            var clock = Stopwatch.StartNew();
            long pending;
            while ((pending = await PendingCountAsync(target) - heldBefore) < HeldHooks && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(200);
            }

            var settled = await QuietAsync(pid);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] approvals held: {pending:N0} pending after {clock.Elapsed.TotalSeconds:F1} s, " +
                $"the node quiet {settled.TotalSeconds:F1} s later");
            var during = new LatencyHistogram();
            await WriteSteadilyAsync(writer, WriterWindow, during);
            await GcTrigger.CollectAsync(pid);
            var rssHeld = ProcStats.Rss(pid);
            var stillHeld = hooks.Count(h => !h.IsCompleted);

            // Answer them all (the fleet's operator denies), so every held hook is released with its answer.
            var released = 0;
            await Task.WhenAll(Enumerable.Range(0, HeldHooks).Select(async a =>
            {
                var id = await PendingAsync(http, $"held-{a}");
                using var answer = await http.PostAsync($"/api/sessions/{Id($"held-{a}")}/approvals/{id}",
                    new StringContent("""{"decision":"deny"}""", Encoding.UTF8, "application/json"));
                using var hook = await hooks[a];
                if (answer.IsSuccessStatusCode && hook.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref released);
                }
            }));

            var result = new HeldResult(HeldHooks, pending, stillHeld, released, rssBefore, rssHeld, before, during);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] approvals held: {stillHeld:N0} held, RSS {rssBefore / 1048576.0:F0} → {rssHeld / 1048576.0:F0} MiB " +
                $"({result.BytesPerHeld / 1024.0:F1} KiB each); PATCH p99 {before.Percentile(0.99) / 1000.0:F1} ms before, {during.Percentile(0.99) / 1000.0:F1} ms while held; " +
                $"{released:N0} released by their answers");
            return result;
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Waits until the node has finished raising the held approvals (their commits, fan-out and first reads): until its
    /// CPU over half a second is under a tenth of a core, at most <see cref="SettleLimit"/>. Holding is a steady state;
    /// the burst that raised the holds is writes of their own, not their cost while held. Returns how long it took.
    /// </summary>
    private static async Task<TimeSpan> QuietAsync(int pid)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < SettleLimit)
        {
            var cpu = ProcStats.CpuSeconds(pid);
            await Task.Delay(500);
            if (ProcStats.CpuSeconds(pid) - cpu < 0.05)
            {
                break;
            }
        }

        return clock.Elapsed;
    }

    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(30);

    /// <summary>Open-loop <c>PATCH</c>es of one session at <see cref="WritesPerSecond"/>, each timed from when it was due.</summary>
    private static async Task WriteSteadilyAsync(HttpClient http, TimeSpan duration, LatencyHistogram? measured)
    {
        var period = TimeSpan.FromSeconds(1.0 / WritesPerSecond);
        var start = Stopwatch.GetTimestamp();
        var writes = new List<Task>();
        for (var i = 0; period * i < duration; i++)
        {
            var due = period * i;
            var wait = due - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            writes.Add(Task.Run(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Patch, "/api/sessions/writer")
                {
                    Content = new StringContent($$$"""{"metadata":{"n":{{{i}}}}}""", Encoding.UTF8, "application/json"),
                };
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                var took = Stopwatch.GetElapsedTime(start) - due;
                if (measured is not null)
                {
                    lock (measured)
                    {
                        measured.Record((long)took.TotalMicroseconds);
                    }
                }
            }));
        }

        await Task.WhenAll(writes);
    }

    /// <summary>
    /// The id of the pending approval of the session that Claude Code's <paramref name="session"/> reports as (docs/otel.md's
    /// identity, <c>otel:s:{session_id}</c>), waited for as an operator's page would.
    /// </summary>
    private static async Task<string> PendingAsync(HttpClient http, string session)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var page = JsonDocument.Parse(await http.GetStringAsync($"/api/sessions/{Id(session)}/approvals?state=pending")).RootElement;
            if (page.GetProperty("approvals").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } approval)
            {
                return approval.GetProperty("id").GetString()!;
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException($"No pending approval of {session} after a minute.");
            }

            // As often as a person's page would look, and not so often that the polls themselves load the node under test.
            await Task.Delay(25);
        }
    }

    /// <summary>Sessions <c>waiting</c> on the node, from its summary.</summary>
    private static async Task<long> PendingCountAsync(Target target)
    {
        var summary = JsonDocument.Parse(await target.Http.GetStringAsync("/api/summary")).RootElement;
        return summary.GetProperty("counts").GetProperty("waiting").GetInt64();
    }

    private static string Id(string session) => "otel:s:" + session;

    private static HttpClient Client(SwitchboardTarget node, int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = node.Server.BaseAddress,
            Timeout = TimeSpan.FromMinutes(10),
        };

    private static async Task<HttpResponseMessage> PostHookAsync(HttpClient http, string body)
    {
        var response = await http.PostAsync("/hooks/claude-code", new StringContent(body, Encoding.UTF8, "application/json"));
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>What Claude Code's HTTP hooks post (docs/hooks.md): a session's start, or a Bash command that needs permission.</summary>
    private static string Hook(string session, string name) => name == "SessionStart"
        ? $$"""{"session_id":"{{session}}","transcript_path":"/tmp/{{session}}.jsonl","cwd":"/tmp","hook_event_name":"SessionStart","source":"startup"}"""
        : $$$"""{"session_id":"{{{session}}}","transcript_path":"/tmp/{{{session}}}.jsonl","cwd":"/tmp","hook_event_name":"PermissionRequest","tool_name":"Bash","tool_input":{"command":"rm -rf build"}}""";
}

/// <summary>Approvals answered on another node than the one holding the hook.</summary>
internal sealed record CrossNodeResult(long Answered, long Wrong, LatencyHistogram Latencies, double PerSecond)
{
    public bool Complete => Wrong == 0 && Answered == ApprovalRun.CrossNodeAgents * ApprovalRun.CrossNodeRounds;
}

/// <summary>Many hooks held at once on one node.</summary>
internal sealed record HeldResult(int Asked, long Pending, int StillHeld, int Released, long RssBefore, long RssHeld, LatencyHistogram WritesBefore,
    LatencyHistogram WritesDuring)
{
    public double BytesPerHeld => (RssHeld - RssBefore) / (double)Asked;

    public bool Complete => Pending == Asked && StillHeld == Asked && Released == Asked;
}

/// <summary>The approvals run.</summary>
internal sealed record ApprovalResults(CrossNodeResult CrossNode, HeldResult Held, string Load)
{
    public bool Complete => CrossNode.Complete && Held.Complete;
}

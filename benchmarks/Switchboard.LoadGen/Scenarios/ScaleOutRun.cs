using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Servers;
using Switchboard.Testing;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Several Switchboard nodes on one real PostgreSQL on this machine, the subscribers spread evenly over them by several
/// subscriber processes (<see cref="ScaleOutWorker"/>), events published through the first node only: at 1 msg/s, then
/// at 100 msg/s. Every event must reach every subscriber on every node, each connection's seqs in order. Reports the
/// end-to-end latency across nodes and each node's CPU and RSS.
/// </summary>
internal sealed class ScaleOutRun(BenchOptions options, TextWriter log)
{
    private const int ConnectionsPerWorker = 15_000; // under the 20,000 open files a process may hold
    private const string SessionId = "scale-out";

    public async Task<ScaleOutResult> RunAsync(BenchPaths paths)
    {
        await using var postgres = await PostgresCluster.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("switchboard");
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] scale-out: PostgreSQL {postgres.Port}; starting {options.ScaleOutNodes} nodes");
        var nodes = new List<SwitchboardTarget>();
        var workers = new List<Worker>();
        var data = Directory.CreateTempSubdirectory("switchboard-scale-out-");
        try
        {
            for (var i = 0; i < options.ScaleOutNodes; i++)
            {
                var node = new SwitchboardTarget(new Dictionary<string, string>(options.SwitchboardEnvironment)
                {
                    ["SWITCHBOARD_STORE"] = "postgres",
                    ["SWITCHBOARD_CONNECTION_STRING"] = connectionString,
                    ["Switchboard__Sockets__MaxConnections"] = "100000",
                });
                await node.StartAsync(paths, Directory.CreateDirectory(Path.Combine(data.FullName, $"node{i}")).FullName);
                nodes.Add(node);
            }

            await nodes[0].PrepareSessionsAsync([SessionId]);
            var urls = string.Join(',', nodes.Select(n => n.Http.BaseAddress!.ToString().TrimEnd('/')));
            var total = options.ScaleOutSubscribers;
            var clock = Stopwatch.StartNew();
            for (var remaining = total; remaining > 0; remaining -= ConnectionsPerWorker)
            {
                workers.Add(Worker.Start(paths, urls, Math.Min(remaining, ConnectionsPerWorker)));
            }

            foreach (var worker in workers)
            {
                await worker.ExpectAsync("ready", TimeSpan.FromMinutes(5));
            }

            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] scale-out: {total:N0} subscribers on {nodes.Count} nodes from {workers.Count} processes in {clock.Elapsed.TotalSeconds:F1} s; " +
                "RSS per node " + string.Join(", ", nodes.Select(n => $"{ProcStats.Rss(n.Server.Pid) / 1048576.0:F0} MiB")));

            long marker = 1;
            var phases = new List<ScaleOutPhase>();
            foreach (var (rate, seconds) in new[] { (1, options.ScaleOutSlowSeconds), (100, options.ScaleOutFastSeconds) })
            {
                var count = rate * seconds;
                phases.Add(await RunPhaseAsync(nodes, workers, marker, count, rate, total));
                marker += count;
            }

            var processes = workers.Count;

            // The write rate with the subscribers gone: what the database and one node's write path take.
            foreach (var worker in workers)
            {
                worker.Dispose();
            }

            workers.Clear();
            var writes = await MeasureWritesAsync(nodes[0]);
            return new ScaleOutResult(nodes.Count, total, processes, phases, writes);
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }

            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            data.Delete(recursive: true);
        }
    }

    private async Task<ScaleOutPhase> RunPhaseAsync(List<SwitchboardTarget> nodes, List<Worker> workers, long first, int count, int rate, int total)
    {
        foreach (var worker in workers)
        {
            worker.Send($"round {first} {count}");
            await worker.ExpectAsync("armed", TimeSpan.FromSeconds(30));
        }

        var cpu0 = nodes.Select(n => ProcStats.CpuSeconds(n.Server.Pid)).ToArray();
        foreach (var node in nodes)
        {
            ProcStats.ResetPeak(node.Server.Pid);
        }

        var sentAt = new long[count];
        var errors = 0;
        var clock = Stopwatch.StartNew();
        var sends = new List<Task>();
        for (var k = 0; k < count; k++)
        {
            await SystemRun.WaitUntilDueAsync(clock, k, rate);

            var request = nodes[0].Publish(first + k, SessionId);
            sentAt[k] = Stopwatch.GetTimestamp();
            sends.Add(nodes[0].SendAsync(request, () => Interlocked.Increment(ref errors)));
        }

        await Task.WhenAll(sends);
        var reports = new List<ScaleOutWorker.RoundReport>();
        var end = "end " + string.Join(',', sentAt.Select(t => t.ToString(CultureInfo.InvariantCulture)));
        foreach (var worker in workers)
        {
            worker.Send(end);
        }

        foreach (var worker in workers)
        {
            reports.Add(JsonSerializer.Deserialize<ScaleOutWorker.RoundReport>(await worker.ExpectAsync("{", TimeSpan.FromMinutes(3)))!);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var nodeCpu = nodes.Select((n, i) => ProcStats.CpuSeconds(n.Server.Pid) - cpu0[i]).ToArray();
        var nodeRss = nodes.Select(n => ProcStats.PeakRss(n.Server.Pid)).ToArray();

        var delivery = new LatencyHistogram();
        foreach (var r in reports)
        {
            delivery.Add(LatencyHistogram.FromBuckets(r.Buckets, r.Max));
        }

        var lastSubscriber = new LatencyHistogram();
        var completeEvents = 0;
        for (var i = 0; i < count; i++)
        {
            if (reports.Sum(r => r.Counts[i]) >= total)
            {
                completeEvents++;
                lastSubscriber.Record((long)((reports.Max(r => r.LastAt[i]) - sentAt[i]) * 1_000_000.0 / Stopwatch.Frequency));
            }
        }

        var phase = new ScaleOutPhase(rate, count, (long)count * total, reports.Sum(r => r.Delivered), reports.Sum(r => r.Duplicates),
            reports.Sum(r => r.Strays), reports.Sum(r => r.Misplaced), reports.Sum(r => r.UnexpectedCloses), errors, completeEvents,
            delivery, lastSubscriber, nodeCpu, nodeRss, seconds);
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] scale-out {rate} msg/s: {phase.Delivered:N0}/{phase.Expected:N0} delivered, misplaced {phase.Misplaced}, " +
            $"duplicates {phase.Duplicates}, p99 delivery {delivery.Percentile(0.99) / 1000.0:F1} ms, p99 last subscriber {lastSubscriber.Percentile(0.99) / 1000.0:F1} ms, " +
            "CPU per node " + string.Join(", ", nodeCpu.Select(c => $"{c:F1} s")));
        return phase;
    }

    /// <summary>
    /// What one PostgreSQL takes through one node while the other nodes follow the log (no subscribers): 4 clients post
    /// <c>/api/batch</c> with 100 metadata updates each for 5 s; only acknowledged updates count.
    /// </summary>
    private async Task<ScaleOutWrites> MeasureWritesAsync(SwitchboardTarget node)
    {
        var ids = Enumerable.Range(0, 100).Select(i => $"pg-write-{i}").ToArray();
        await node.PrepareSessionsAsync(ids);
        var cpu0 = ProcStats.CpuSeconds(node.Server.Pid);
        var clock = Stopwatch.StartNew();
        long acknowledged = 0, n = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(5))
            {
                var ops = string.Join(',', ids.Select(id => $$$"""{"op":"update","id":"{{{id}}}","metadata":{"n":{{{Interlocked.Increment(ref n)}}}}}"""));
                using var response = await node.Http.PostAsync("/api/batch",
                    new StringContent($$"""{"operations":[{{ops}}]}""", System.Text.Encoding.UTF8, "application/json"));
                if (response.IsSuccessStatusCode)
                {
                    using var doc = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
                    Interlocked.Add(ref acknowledged, doc.RootElement.GetProperty("results").EnumerateArray().Count(r => r.GetProperty("status").GetInt32() == 200));
                }
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        var writes = new ScaleOutWrites(acknowledged, seconds, ProcStats.CpuSeconds(node.Server.Pid) - cpu0);
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] scale-out: {writes.PerSecond:N0} updates/s through node 1 on PostgreSQL ({writes.CpuMicrosPerUpdate:F1} µs node CPU per update)");
        return writes;
    }

    /// <summary>A subscriber process: this load generator started in <see cref="ScaleOutWorker.Mode"/>.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly Process _process;

        private Worker(Process process) => _process = process;

        public static Worker Start(BenchPaths paths, string urls, int connections)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(typeof(ScaleOutRun).Assembly.Location);
            start.ArgumentList.Add(ScaleOutWorker.Mode);
            start.ArgumentList.Add(urls);
            start.ArgumentList.Add(connections.ToString(CultureInfo.InvariantCulture));
            return new Worker(Process.Start(start)!);
        }

        public void Send(string line)
        {
            _process.StandardInput.WriteLine(line);
            _process.StandardInput.Flush();
        }

        /// <summary>Reads lines until one starts with <paramref name="prefix"/>; fails if the process ends or time runs out.</summary>
        public async Task<string> ExpectAsync(string prefix, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            while (true)
            {
                var line = await _process.StandardOutput.ReadLineAsync(cancel.Token)
                    ?? throw new InvalidOperationException($"A subscriber process exited (code {(_process.HasExited ? _process.ExitCode : -1)}) before '{prefix}'.");
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                try
                {
                    Send("quit");
                    if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
                    {
                        _process.Kill(entireProcessTree: true);
                    }
                }
                catch (IOException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }

            _process.Dispose();
        }
    }
}

/// <summary>One publishing rate of the scale-out run.</summary>
internal sealed record ScaleOutPhase(
    int Rate, int Events, long Expected, long Delivered, long Duplicates, long Strays, long Misplaced, int UnexpectedCloses,
    int PublishErrors, int CompleteEvents, LatencyHistogram Delivery, LatencyHistogram LastSubscriber, double[] NodeCpuSeconds,
    long[] NodePeakRss, double Seconds)
{
    public bool Complete => Delivered == Expected && Duplicates == 0 && Strays == 0 && Misplaced == 0 && UnexpectedCloses == 0 && PublishErrors == 0;
}

/// <summary>Updates acknowledged through one node on PostgreSQL while the others follow.</summary>
internal sealed record ScaleOutWrites(long Acknowledged, double Seconds, double NodeCpuSeconds)
{
    public double PerSecond => Acknowledged / Seconds;

    public double CpuMicrosPerUpdate => Acknowledged > 0 ? NodeCpuSeconds * 1e6 / Acknowledged : double.NaN;
}

/// <summary>The scale-out run: nodes, subscribers, one result per rate, and the write rate one node got.</summary>
internal sealed record ScaleOutResult(int Nodes, int Subscribers, int Processes, IReadOnlyList<ScaleOutPhase> Phases, ScaleOutWrites Writes)
{
    public bool Complete => Phases.All(p => p.Complete);
}

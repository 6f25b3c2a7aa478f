using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Switchboard.LoadGen.Clients;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Report;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Commands to agents (docs/commands.md), on SQLite, against their targets (issue to producer receipt ≤ 50 ms at p99;
/// ≥ 5,000 commands issued per second):
/// <list type="number">
/// <item><b>Socket</b>: 1,000 producers each hold a WebSocket joined to its own <c>session:{id}</c>; commands are issued
/// over HTTP at a steady rate to random sessions, and each is timed from just before its POST to the moment its
/// producer's socket received <c>command_issued</c>.</item>
/// <item><b>Long-poll</b>: 1,000 producers each hold a long-poll <c>GET …/commands?wait=30</c> (one HTTP connection each)
/// and poll again as soon as one answers; each command is timed from just before its POST to the long-poll answer that
/// hands it over (the answer includes the write that moves it to delivered).</item>
/// <item><b>Issue rate</b>: 64 clients issue commands back to back for the measured time (no producers attached); the
/// rate and the server's CPU per command.</item>
/// </list>
/// Each scenario runs on a fresh server with the per-client write rate limit off (5,000/s by default would cap the third).
/// </summary>
internal sealed class CommandRun(BenchOptions options, TextWriter log)
{
    public const int Producers = 1000;
    private const int IssueClients = 64;
    private static readonly TimeSpan WarmUpLimit = TimeSpan.FromSeconds(90);

    public async Task<CommandResults> RunAsync(BenchPaths paths)
    {
        var socket = await RunFreshAsync(paths, SocketAsync);
        var longPoll = await RunFreshAsync(paths, LongPollAsync);
        var rate = await RunFreshAsync(paths, IssueRateAsync);
        return new CommandResults(socket, longPoll, rate, options.CommandRate, options.IngestDuration);
    }

    private static async Task<T> RunFreshAsync<T>(BenchPaths paths, Func<Target, string[], Task<T>> scenario)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-commands-");
        await using var target = new SwitchboardTarget();
        try
        {
            await target.StartAsync(paths, data.FullName);
            var ids = Enumerable.Range(0, Producers).Select(i => $"agent-{i:0000}").ToArray();
            await CreateSessionsAsync(target, ids);
            return await scenario(target, ids);
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    private static async Task CreateSessionsAsync(Target target, string[] ids)
    {
        foreach (var chunk in ids.Chunk(500))
        {
            var ops = string.Join(',', chunk.Select(id => $$"""{"op":"create","id":"{{id}}","state":"working"}"""));
            await IngestRun.PostBatchAsync(target, $$"""{"operations":[{{ops}}]}""");
        }
    }

    private async Task<ReceiptResult> SocketAsync(Target target, string[] ids)
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, target.Server.BaseAddress.Port);
        var receipts = new Receipts(options.CommandCount);
        var protocol = new PhoenixProtocol();
        await using var pool = new SubscriberPool(endpoint, protocol);
        await pool.GrowToAsync(Producers, i => ["session:" + ids[i]], CancellationToken.None);
        protocol.Sink = receipts;
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] commands over sockets: {pool.Count:N0} producers joined");
        var result = await IssueAndTimeAsync(target, ids, receipts, "sockets");
        return result with { UnexpectedCloses = protocol.UnexpectedCloses };
    }

    private async Task<ReceiptResult> LongPollAsync(Target target, string[] ids)
    {
        var receipts = new Receipts(options.CommandCount);
        using var stop = new CancellationTokenSource();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Producers + 64, UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = target.Server.BaseAddress,
            Timeout = TimeSpan.FromSeconds(90),
        };
        var failures = 0;
        var polls = ids.Select(id => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await http.GetAsync($"/api/sessions/{id}/commands?wait=30", stop.Token);
                    var body = await response.Content.ReadAsByteArrayAsync(stop.Token);
                    var at = Stopwatch.GetTimestamp();
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref failures);
                        continue;
                    }

                    using var doc = JsonDocument.Parse(body);
                    foreach (var command in doc.RootElement.GetProperty("commands").EnumerateArray())
                    {
                        receipts.Received(command.GetProperty("text").GetString(), at);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
            }
        })).ToList();

        // Every producer is waiting before the first command: the watch counts them.
        var deadline = Stopwatch.StartNew();
        while (await WaitersAsync(target) < Producers && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
        }

        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] commands by long-poll: {await WaitersAsync(target):N0} producers waiting");
        var result = await IssueAndTimeAsync(target, ids, receipts, "long-poll");
        await stop.CancelAsync();
        await Task.WhenAll(polls);
        return result with { Failures = result.Failures + failures };
    }

    /// <summary>Issues warm-up commands, then <see cref="BenchOptions.CommandCount"/> timed ones at a steady rate, and waits for every receipt.</summary>
    private async Task<ReceiptResult> IssueAndTimeAsync(Target target, string[] ids, Receipts receipts, string name)
    {
        var random = new Random(42);
        var warmSent = await WarmUpAsync(target, ids, name);

        var load = MachineInfo.LoadAverage();
        var interval = TimeSpan.FromSeconds(1.0 / options.CommandRate);
        var start = Stopwatch.GetTimestamp();
        var cpu0 = ProcStats.CpuSeconds(target.Server.Pid);
        var sends = new List<Task>(options.CommandCount);
        var failures = 0;
        for (var i = 0; i < options.CommandCount; i++)
        {
            var due = start + (long)(i * interval.TotalSeconds * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var marker = i;
            var session = ids[random.Next(ids.Length)];
            receipts.Sent(marker, Stopwatch.GetTimestamp());
            sends.Add(Task.Run(async () =>
            {
                if (!await IssueAsync(target, session, "c" + marker))
                {
                    Interlocked.Increment(ref failures);
                }
            }));
        }

        await Task.WhenAll(sends);
        var complete = await receipts.WaitForAllAsync(TimeSpan.FromSeconds(60));
        var cpu = ProcStats.CpuSeconds(target.Server.Pid) - cpu0;
        var histogram = receipts.Latency();
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] commands over {name}: {receipts.Count:N0}/{options.CommandCount:N0} received, " +
            $"p50 {histogram.Percentile(0.5) / 1000.0:F1} ms, p99 {histogram.Percentile(0.99) / 1000.0:F1} ms, max {histogram.Max / 1000.0:F1} ms (after {warmSent:N0} warm-up)");
        return new ReceiptResult(name, options.CommandCount, receipts.Count, histogram.Percentile(0.5), histogram.Percentile(0.99), histogram.Max,
            failures, complete, cpu * 1e6 / options.CommandCount, load, 0);
    }

    private async Task<RateResult> IssueRateAsync(Target target, string[] ids)
    {
        await WarmUpAsync(target, ids, "issue rate");
        var load = MachineInfo.LoadAverage();
        var cpu0 = ProcStats.CpuSeconds(target.Server.Pid);
        var (issued, failures, seconds) = await ClosedLoopAsync(target, ids, options.IngestDuration);
        var cpu = ProcStats.CpuSeconds(target.Server.Pid) - cpu0;
        var result = new RateResult(issued, failures, seconds, cpu * 1e6 / Math.Max(1, issued), load);
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] commands issued: {issued:N0} in {seconds:F1} s = {result.PerSecond:N0}/s, {result.CpuMicrosPerCommand:F1} µs CPU each");
        return result;
    }

    /// <summary>
    /// Issues commands back to back until tiered compilation has settled (the runtime's tiering thread used under 20 ms of
    /// CPU in the last step), so what is measured runs the server's steady-state code; the warm-up commands carry no marker.
    /// </summary>
    private async Task<long> WarmUpAsync(Target target, string[] ids, string name)
    {
        long issued = 0;
        var (elapsed, tiering) = await TieredWarmUp.RunAsync(target.Server.Pid, WarmUpLimit,
            async step => issued += (await ClosedLoopAsync(target, ids, step)).Issued);
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] commands ({name}): warmed up in {elapsed.TotalSeconds:F0} s with {issued:N0} commands (tiered compilation {tiering:F2} s of CPU)");
        return issued;
    }

    private static async Task<(long Issued, long Failures, double Seconds)> ClosedLoopAsync(Target target, string[] ids, TimeSpan duration)
    {
        long issued = 0, failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, IssueClients).Select(c => Task.Run(async () =>
        {
            var i = c;
            while (clock.Elapsed < duration)
            {
                if (await IssueAsync(target, ids[i++ % ids.Length], "r"))
                {
                    Interlocked.Increment(ref issued);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        return (issued, failures, clock.Elapsed.TotalSeconds);
    }

    private static async Task<bool> IssueAsync(Target target, string session, string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sessions/{session}/commands")
        {
            Content = new StringContent($$"""{"type":"message","text":"{{text}}"}""", Encoding.UTF8, "application/json"),
        };
        using var response = await target.Http.SendAsync(request);
        return response.StatusCode == HttpStatusCode.Created;
    }

    private static async Task<int> WaitersAsync(Target target)
    {
        foreach (var line in (await target.Http.GetStringAsync("/metrics")).Split('\n'))
        {
            if (line.StartsWith("switchboard_command_waiters ", StringComparison.Ordinal))
            {
                return (int)double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    /// <summary>When each timed command was sent and first received (the marker is its text, <c>c{n}</c>).</summary>
    private sealed class Receipts(int count) : IRecordSink
    {
        private readonly long[] _sent = new long[count];
        private readonly long[] _received = new long[count];
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Sent(int marker, long at) => Volatile.Write(ref _sent[marker], at);

        public void Received(string? text, long at)
        {
            if (text is ['c', .. var digits] && int.TryParse(digits, out var marker) && marker < count
                && Interlocked.CompareExchange(ref _received[marker], at, 0) == 0)
            {
                Interlocked.Increment(ref _count);
            }
        }

        /// <summary>A socket's <c>command_issued</c> frame: its text carries the marker.</summary>
        public void OnRecord(ReadOnlySpan<byte> record, RecordKind kind, long timestamp, int client)
        {
            if (kind != RecordKind.Session || record.IndexOf("\"command_issued\""u8) < 0)
            {
                return;
            }

            var at = record.IndexOf("\"text\":\"c"u8);
            if (at >= 0 && Utf8Parser.TryParse(record[(at + 9)..], out int marker, out _) && marker < count
                && Interlocked.CompareExchange(ref _received[marker], timestamp, 0) == 0)
            {
                Interlocked.Increment(ref _count);
            }
        }

        public async Task<bool> WaitForAllAsync(TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (Count < count && clock.Elapsed < timeout)
            {
                await Task.Delay(20);
            }

            return Count == count;
        }

        public LatencyHistogram Latency()
        {
            var h = new LatencyHistogram();
            for (var i = 0; i < count; i++)
            {
                if (_received[i] != 0)
                {
                    h.Record((long)Stopwatch.GetElapsedTime(_sent[i], _received[i]).TotalMicroseconds);
                }
            }

            return h;
        }
    }
}

/// <summary>Issue to producer receipt over one delivery path.</summary>
internal sealed record ReceiptResult(string Path, int Issued, int Received, long P50Micros, long P99Micros, long MaxMicros, long Failures, bool Complete,
    double ServerCpuMicrosPerCommand, string LoadAverage, int UnexpectedCloses);

/// <summary>Commands issued back to back.</summary>
internal sealed record RateResult(long Issued, long Failures, double Seconds, double CpuMicrosPerCommand, string LoadAverage)
{
    public double PerSecond => Issued / Seconds;
}

/// <summary>Every part of the commands benchmark.</summary>
internal sealed record CommandResults(ReceiptResult Socket, ReceiptResult LongPoll, RateResult Rate, int CommandRate, TimeSpan RateDuration);

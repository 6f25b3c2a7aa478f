using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchboard.LoadGen.Clients;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Report;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// The MCP server under load (<c>--mcp</c>, issue 60): 1,000 sessions updated at 1,000 writes/s (each a PATCH, one
/// <c>session_updated</c>; open-loop, spread evenly) while 100 MCP clients (<see cref="McpSubscriber"/>, Streamable HTTP)
/// are subscribed to <c>switchboard://fleet/summary</c>; then, on the same server with the MCP clients gone, the same
/// writes while 100 Phoenix sockets have joined <c>sessions</c>. For each: the server's CPU per second of load, and the
/// delay from each committed event's <c>at</c> (ms precision, the server's clock, which is this machine's) to the first
/// notification or record a client read after it, over every client and event.
/// </summary>
internal sealed class McpRun(BenchOptions options, TextWriter log)
{
    public const int Clients = 100;
    public const int Sessions = 1_000;
    public const int WritesPerSecond = 1_000;
    public const string FleetUri = "switchboard://fleet/summary";

    private const int Writers = 64;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);

    private long _marker;

    public async Task<McpResults> RunAsync(BenchPaths paths)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-mcp-");
        var target = new SwitchboardTarget();
        try
        {
            await target.StartAsync(paths, data.FullName);
            foreach (var chunk in Enumerable.Range(0, Sessions).Chunk(100))
            {
                await IngestRun.PostBatchAsync(target, $$"""{"operations":[{{string.Join(',', chunk.Select(i => $$$"""{"op":"create","id":"{{{Id(i)}}}","state":"working"}"""))}}]}""");
            }

            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] mcp: Switchboard pid {target.Server.Pid}, {Sessions:N0} sessions");
            var mcp = await McpArmAsync(target);
            var socket = await SocketArmAsync(target);
            return new McpResults(mcp, socket, MachineInfo.LoadAverage());
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    private async Task<McpArm> McpArmAsync(SwitchboardTarget target)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4 * Clients, UseProxy = false })
        {
            BaseAddress = target.Server.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        var clients = Enumerable.Range(0, Clients).Select(_ => new McpSubscriber(http)).ToList();
        try
        {
            foreach (var batch in clients.Chunk(10))
            {
                await Task.WhenAll(batch.Select(c => c.StartAsync(FleetUri)));
            }

            await WriteAsync(target, WarmUp);
            clients.ForEach(c => c.Clear());
            var (head0, head, seconds, cpu, failed) = await MeasureAsync(target);
            var last = (await CommitTimesAsync(target, head - 1, head)).Single();
            var deadline = Stopwatch.StartNew();
            while (clients.Any(c => c.Received() is not { Length: > 0 } r || r[^1] < last) && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }

            var commits = await CommitTimesAsync(target, head0, head);
            var delays = new LatencyHistogram();
            long missed = 0, notifications = 0;
            foreach (var client in clients)
            {
                var received = client.Received();
                notifications += received.Length;
                foreach (var at in commits)
                {
                    var i = Array.BinarySearch(received, at);
                    i = i < 0 ? ~i : i;
                    if (i == received.Length)
                    {
                        missed++;
                    }
                    else
                    {
                        delays.Record((received[i] - at) / TimeSpan.TicksPerMicrosecond);
                    }
                }
            }

            var arm = new McpArm("MCP, fleet resource", commits.Length, failed, seconds, cpu, delays, missed, notifications, clients.Sum(c => c.StreamErrors));
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] mcp: {arm}");
            return arm;
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private async Task<McpArm> SocketArmAsync(SwitchboardTarget target)
    {
        var sink = new AtDelaySink(Clients);
        var protocol = new PhoenixProtocol();
        await using var pool = new SubscriberPool(target.Server.EndPoint, protocol);
        await pool.GrowToAsync(Clients, _ => ["sessions"], CancellationToken.None);
        protocol.Sink = sink;
        await WriteAsync(target, WarmUp);
        sink.From = await IngestRun.HeadAsync(target);
        var (head0, head, seconds, cpu, failed) = await MeasureAsync(target);
        sink.To = head;
        var deadline = Stopwatch.StartNew();
        while (sink.Fewest < head - head0 && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        var arm = new McpArm("Phoenix socket, sessions topic", head - head0, failed, seconds, cpu, sink.Delays(), Clients * (head - head0) - sink.Total,
            sink.Total, protocol.UnexpectedCloses);
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] mcp: {arm}");
        return arm;
    }

    private async Task<(long Head0, long Head, double Seconds, double Cpu, long Failed)> MeasureAsync(SwitchboardTarget target)
    {
        var head0 = await IngestRun.HeadAsync(target);
        var cpu = CpuWindow.Start(target.Server.Pid);
        var clock = Stopwatch.StartNew();
        var failed = await WriteAsync(target, options.McpDuration);
        var seconds = clock.Elapsed.TotalSeconds;
        var (serverCpu, _) = cpu.Stop();
        return (head0, await IngestRun.HeadAsync(target), seconds, serverCpu, failed);
    }

    /// <summary>Open-loop writes at <see cref="WritesPerSecond"/> for <paramref name="duration"/>, round-robin over the sessions.</summary>
    private async Task<long> WriteAsync(SwitchboardTarget target, TimeSpan duration)
    {
        long failed = 0;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (long i = w; ; i += Writers)
            {
                var due = TimeSpan.FromSeconds(i / (double)WritesPerSecond);
                if (due >= duration)
                {
                    return;
                }

                var wait = due - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                await target.SendAsync(target.Publish(Interlocked.Increment(ref _marker), Id((int)(i % Sessions))), () => Interlocked.Increment(ref failed));
            }
        })));
        return failed;
    }

    /// <summary>The <c>at</c> of each event in (<paramref name="after"/>, <paramref name="upTo"/>], as UTC ticks, in seq order.</summary>
    private static async Task<long[]> CommitTimesAsync(SwitchboardTarget target, long after, long upTo)
    {
        var times = new List<long>();
        while (after < upTo)
        {
            using var page = JsonDocument.Parse(await target.Http.GetStringAsync($"/api/events?since={after}&limit=500"));
            foreach (var e in page.RootElement.GetProperty("events").EnumerateArray())
            {
                if (e.GetProperty("seq").GetInt64() <= upTo)
                {
                    times.Add(e.GetProperty("at").GetDateTimeOffset().UtcTicks);
                }
            }

            after = page.RootElement.GetProperty("next_since").GetInt64();
        }

        return [.. times];
    }

    private static string Id(int i) => "mcp-" + i.ToString("0000", CultureInfo.InvariantCulture);

    /// <summary>Per socket client, the delay from each <c>sessions</c> record's <c>at</c> to when it was read, for seqs in range.</summary>
    private sealed class AtDelaySink(int clients) : IRecordSink
    {
        private readonly LatencyHistogram[] _delays = [.. Enumerable.Range(0, clients).Select(_ => new LatencyHistogram())];

        public long From { get; set; } = long.MaxValue;

        public long To { get; set; } = long.MaxValue;

        public long Fewest => _delays.Min(d => d.Count);

        public long Total => _delays.Sum(d => d.Count);

        public void OnRecord(ReadOnlySpan<byte> record, RecordKind kind, long timestamp, int client)
        {
            var seqAt = record.IndexOf("\"seq\":"u8);
            var atAt = record.IndexOf("\"at\":\""u8);
            if (kind != RecordKind.Global || seqAt < 0 || atAt < 0 || !Utf8Parser.TryParse(record[(seqAt + 6)..], out long seq, out _) || seq <= From || seq > To)
            {
                return;
            }

            var now = DateTime.UtcNow.Ticks;
            var text = record[(atAt + 6)..];
            var at = DateTimeOffset.Parse(Encoding.UTF8.GetString(text[..text.IndexOf((byte)'"')]), CultureInfo.InvariantCulture).UtcTicks;
            lock (_delays[client])
            {
                _delays[client].Record((now - at) / TimeSpan.TicksPerMicrosecond);
            }
        }

        public LatencyHistogram Delays()
        {
            var all = new LatencyHistogram();
            foreach (var d in _delays)
            {
                lock (d)
                {
                    all.Add(d);
                }
            }

            return all;
        }
    }
}

/// <summary>One arm of the MCP run: the load, what the server's CPU did, and the delays the clients saw.</summary>
internal sealed record McpArm(string Name, long Commits, long FailedWrites, double Seconds, double ServerCpuSeconds, LatencyHistogram Delays,
    long Missed, long Received, int Errors)
{
    public double WritesPerSecond => Commits / Seconds;

    /// <summary>The server's CPU as a share of one core over the measured seconds.</summary>
    public double CpuPercent => 100 * ServerCpuSeconds / Seconds;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: {Commits:N0} commits ({WritesPerSecond:N0}/s, {FailedWrites} failed), server CPU {CpuPercent:F0}% of a core, " +
        $"delay p50 {Delays.Percentile(0.5) / 1000.0:F1} ms, p99 {Delays.Percentile(0.99) / 1000.0:F1} ms, max {Delays.Max / 1000.0:F1} ms, " +
        $"{Received:N0} notifications/records read, {Missed:N0} commits not heard, {Errors} stream errors");
}

internal sealed record McpResults(McpArm Mcp, McpArm Socket, string LoadAverage);

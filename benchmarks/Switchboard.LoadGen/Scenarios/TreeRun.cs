using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Agent trees, on SQLite, against their two targets:
/// <list type="number">
/// <item>A usage update of a session at depth 1 against one at depth 16 (every ancestor's subtree totals are updated in
/// the same transaction): server CPU per update and updates/s, each depth on its own fresh server, alternating the order
/// over rounds so drift on a shared machine hits both. 200 leaves hang under 10 branches (so leaves share ancestors, as
/// an agent's sub-agents do), and the load is single <c>POST /api/sessions/{id}/usage</c> requests from 16 clients —
/// what an agent's SDK sends — plus a run of <c>/api/batch</c> with 100 usage updates per request.</item>
/// <item>A parent with 10,000 children: the time from a <c>phx_join</c> of <c>session:{parent}</c> with
/// <c>{"subtree": true}</c> to its reply (the snapshot's first page: the parent and 100 descendants), at the client, one
/// join after another on one WebSocket, idle and while 4 clients add usage to the children.</item>
/// </list>
/// </summary>
internal sealed class TreeRun(BenchOptions options, TextWriter log)
{
    private const int Branches = 10;
    private const int LeavesPerBranch = 20;
    private const int Clients = 16;
    private const int Children = 10_000;

    private long _value;

    public async Task<TreeResults> RunAsync(BenchPaths paths)
    {
        var depth = new List<DepthResult>();
        for (var round = 0; round < options.TreeRounds; round++)
        {
            foreach (var d in round % 2 == 0 ? new[] { 1, 16 } : [16, 1])
            {
                depth.Add(await DepthAsync(paths, d, round, batch: false));
            }
        }

        foreach (var d in new[] { 1, 16 })
        {
            depth.Add(await DepthAsync(paths, d, 0, batch: true));
        }

        return new TreeResults(depth, await JoinAsync(paths));
    }

    /// <summary>Ids of the leaves at <paramref name="depth"/> and the writes that build their tree (roots to leaves).</summary>
    private static (List<string> Leaves, List<string> Operations) Forest(int depth)
    {
        var ops = new List<string> { """{"op":"create","id":"root","state":"working"}""" };
        var leaves = new List<string>();
        for (var b = 0; b < Branches; b++)
        {
            // A branch is a chain from the root down to depth - 1; its leaves are at depth.
            var parent = "root";
            for (var level = 1; level < depth; level++)
            {
                var id = $"b{b}-{level}";
                ops.Add($$"""{"op":"create","id":"{{id}}","parent_id":"{{parent}}","state":"working"}""");
                parent = id;
            }

            for (var l = 0; l < LeavesPerBranch; l++)
            {
                var id = $"leaf-{b}-{l}";
                ops.Add($$"""{"op":"create","id":"{{id}}","parent_id":"{{parent}}","state":"working"}""");
                leaves.Add(id);
            }
        }

        return (leaves, ops);
    }

    private async Task<DepthResult> DepthAsync(BenchPaths paths, int depth, int round, bool batch)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-tree-depth-");
        var target = new SwitchboardTarget();
        try
        {
            await target.StartAsync(paths, data.FullName);
            var (leaves, ops) = Forest(depth);
            foreach (var chunk in ops.Chunk(100))
            {
                await IngestRun.PostBatchAsync(target, $$"""{"operations":[{{string.Join(',', chunk)}}]}""");
            }

            await MeasureAsync(target, leaves, TimeSpan.FromSeconds(2), batch); // warm-up: the measured part runs tiered-up code
            var (persisted, seconds, cpu) = await MeasureAsync(target, leaves, options.IngestDuration, batch);
            var result = new DepthResult(depth, round, batch, persisted, seconds, cpu);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] tree usage at depth {depth}{(batch ? " (batch)" : "")}, round {round + 1}: " +
                $"{persisted:N0} updates, {result.PerSecond:N0}/s, {result.CpuMicrosPerUpdate:F1} µs CPU/update");
            var root = JsonDocument.Parse(await target.Http.GetStringAsync("/api/sessions/root")).RootElement.GetProperty("subtree");
            if (root.GetProperty("sessions").GetInt64() != ops.Count)
            {
                throw new InvalidOperationException($"The root's subtree counts {root.GetProperty("sessions")} sessions, not {ops.Count}.");
            }

            return result;
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    private async Task<(long Persisted, double Seconds, double Cpu)> MeasureAsync(Target target, List<string> leaves, TimeSpan duration, bool batch)
    {
        var head0 = await IngestRun.HeadAsync(target);
        var cpu0 = ProcStats.CpuSeconds(target.Server.Pid);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, batch ? 4 : Clients).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                if (batch)
                {
                    await IngestRun.PostBatchAsync(target, UsageBatch(leaves));
                    continue;
                }

                var v = Interlocked.Increment(ref _value);
                using var response = await target.Http.PostAsync($"/api/sessions/{leaves[(int)(v % leaves.Count)]}/usage",
                    new StringContent($$"""{"input_tokens":{{100 + v % 900}},"output_tokens":{{v % 300}},"cost_usd":0.0012}""", Encoding.UTF8, "application/json"));
                response.EnsureSuccessStatusCode();
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = ProcStats.CpuSeconds(target.Server.Pid) - cpu0;
        return (await IngestRun.HeadAsync(target) - head0, seconds, cpu);
    }

    private string UsageBatch(List<string> leaves)
    {
        var body = new StringBuilder("""{"operations":[""");
        for (var i = 0; i < 100; i++)
        {
            var v = Interlocked.Increment(ref _value);
            body.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$"""{"op":"usage","id":"{{leaves[(int)(v % leaves.Count)]}}","input_tokens":{{100 + v % 900}},"cost_usd":0.0012}""");
        }

        return body.Append("]}").ToString();
    }

    private async Task<JoinResults> JoinAsync(BenchPaths paths)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-tree-join-");
        var target = new SwitchboardTarget();
        try
        {
            await target.StartAsync(paths, data.FullName);
            await IngestRun.PostBatchAsync(target, """{"operations":[{"op":"create","id":"parent","state":"working"}]}""");
            for (var b = 0; b < Children / 100; b++)
            {
                await IngestRun.PostBatchAsync(target, $$"""{"operations":[{{string.Join(',', Enumerable.Range(b * 100, 100).Select(i =>
                    $$$"""{"op":"create","id":"child-{{{i:00000}}}","parent_id":"parent","state":"working","cost_usd":0.01}"""))}}]}""");
            }

            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri($"ws://{target.Server.BaseAddress.Authority}/socket/websocket?vsn=2.0.0"), CancellationToken.None);
            var join = new PhoenixJoins(socket);
            for (var i = 0; i < 30; i++)
            {
                await join.TimeAsync("session:parent"); // warm-up
            }

            var idle = await SampleAsync(join, options.TreeJoins);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] subtree join of 10,000 children, idle: p50 {idle.P50Ms:F1} ms, p99 {idle.P99Ms:F1} ms, " +
                $"first page {idle.Descendants} descendants, {idle.ReplyBytes / 1024.0:F0} KiB");

            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var ops = string.Join(',', Enumerable.Range(0, 100).Select(_ =>
                        $$"""{"op":"usage","id":"child-{{Interlocked.Increment(ref _value) % Children:00000}}","input_tokens":10,"cost_usd":0.0001}"""));
                    await IngestRun.PostBatchAsync(target, $$"""{"operations":[{{ops}}]}""");
                }
            })).ToList();
            var busy = await SampleAsync(join, options.TreeJoins);
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] subtree join of 10,000 children, under writes: p50 {busy.P50Ms:F1} ms, p99 {busy.P99Ms:F1} ms");
            return new JoinResults(idle, busy);
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    private static async Task<JoinSample> SampleAsync(PhoenixJoins join, int count)
    {
        var times = new List<double>(count);
        (int Descendants, int Bytes) last = default;
        for (var i = 0; i < count; i++)
        {
            var (ms, descendants, bytes) = await join.TimeAsync("session:parent");
            times.Add(ms);
            last = (descendants, bytes);
        }

        times.Sort();
        return new JoinSample(count, Percentile(times, 0.5), Percentile(times, 0.95), Percentile(times, 0.99), times[^1], last.Descendants, last.Bytes);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>
    /// Joins and leaves one topic over and over on one Phoenix V2 socket, timing each join until its reply. A join and its
    /// leave are two messages; joins start at most every 50 ms, within the server's per-connection message rate (50/s).
    /// </summary>
    private sealed class PhoenixJoins(ClientWebSocket socket)
    {
        private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(50);
        private readonly byte[] _buffer = new byte[4 * 1024 * 1024];
        private readonly Stopwatch _since = Stopwatch.StartNew();
        private int _ref;

        public async Task<(double Ms, int Descendants, int Bytes)> TimeAsync(string topic)
        {
            if (_since.Elapsed < Spacing)
            {
                await Task.Delay(Spacing - _since.Elapsed);
            }

            _since.Restart();
            var r = (++_ref).ToString(CultureInfo.InvariantCulture);
            var clock = Stopwatch.StartNew();
            await SendAsync($$"""["{{r}}","{{r}}","{{topic}}","phx_join",{"subtree":true}]""");
            while (true)
            {
                var text = await ReceiveAsync();
                using var doc = JsonDocument.Parse(text);
                var frame = doc.RootElement;
                if (frame[3].GetString() == "phx_reply" && frame[1].GetString() == r)
                {
                    var ms = clock.Elapsed.TotalMilliseconds;
                    var response = frame[4].GetProperty("response");
                    var descendants = response.GetProperty("descendants").GetArrayLength();
                    var leave = (++_ref).ToString(CultureInfo.InvariantCulture);
                    await SendAsync($$"""["{{r}}","{{leave}}","{{topic}}","phx_leave",{}]""");
                    await DrainUntilReplyAsync(leave);
                    return (ms, descendants, text.Length);
                }
            }
        }

        private async Task DrainUntilReplyAsync(string r)
        {
            while (true)
            {
                using var doc = JsonDocument.Parse(await ReceiveAsync());
                if (doc.RootElement[3].GetString() == "phx_reply" && doc.RootElement[1].GetString() == r)
                {
                    return;
                }
            }
        }

        private Task SendAsync(string text) => socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

        private async Task<string> ReceiveAsync()
        {
            var length = 0;
            while (true)
            {
                var result = await socket.ReceiveAsync(_buffer.AsMemory(length), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new InvalidOperationException($"The server closed the socket: {socket.CloseStatus} {socket.CloseStatusDescription}");
                }

                length += result.Count;
                if (result.EndOfMessage)
                {
                    return Encoding.UTF8.GetString(_buffer, 0, length);
                }
            }
        }
    }
}

/// <summary>Usage updates at one depth: how many, in how long, for how much server CPU.</summary>
internal sealed record DepthResult(int Depth, int Round, bool Batch, long Persisted, double Seconds, double CpuSeconds)
{
    public double PerSecond => Persisted / Seconds;

    public double CpuMicrosPerUpdate => Persisted > 0 ? CpuSeconds * 1e6 / Persisted : double.NaN;
}

/// <summary>Subtree join latencies, from <c>phx_join</c> to its reply, at the client.</summary>
internal sealed record JoinSample(int Joins, double P50Ms, double P95Ms, double P99Ms, double MaxMs, int Descendants, int ReplyBytes);

internal sealed record JoinResults(JoinSample Idle, JoinSample UnderWrites);

internal sealed record TreeResults(IReadOnlyList<DepthResult> Depth, JoinResults Join);

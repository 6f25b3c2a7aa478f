using System.Diagnostics;
using System.Net;
using System.Text;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Durable Streams (<c>--streams</c>): the same three workloads on Switchboard (SQLite, durable: every append is
/// committed before it is answered) and on the protocol's Node reference server (<c>@durable-streams/server</c>, in
/// memory), one after the other in one run, each on a fresh server:
/// <list type="bullet">
/// <item>appends: 100 producers, each on its own stream, each with one small append in flight at a time carrying the
/// idempotent-producer headers; every acknowledged byte is read back afterwards;</item>
/// <item>fan-out: 1,000 SSE readers of one stream while 4 writers append 1 KiB chunks; the bytes every reader
/// received, until every one has all of them;</item>
/// <item>catch-up: one stream of <see cref="BenchOptions.StreamMegabytes"/> MB read from the start, twice to warm up,
/// then five times measured (the median is reported).</item>
/// </list>
/// </summary>
internal sealed partial class StreamRun(BenchOptions options, TextWriter log)
{
    public const int Producers = 100;
    public const int AppendBytes = 100;
    public const int Readers = 1_000;
    public const int ChunkBytes = 1024;
    public const int Appenders = 4;

    private static readonly TimeSpan WarmUpLimit = TimeSpan.FromSeconds(30);
    public const int CatchUpAppendBytes = 512 * 1024;
    public const int CatchUpWarmUps = 2;
    public const int CatchUpReads = 5;

    public async Task<StreamResults> RunAsync(BenchPaths paths)
    {
        var reference = Path.Combine(paths.Root, "benchmarks", "streams");
        NpmPackage.EnsureInstalled(reference, Path.Combine("node_modules", "@durable-streams", "server"), "--streams");
        var systems = new List<StreamSystemResult>();
        foreach (var system in new[] { StreamSystem.Switchboard, StreamSystem.Reference })
        {
            systems.Add(await RunSystemAsync(system, paths, reference));
        }

        return new StreamResults(systems);
    }

    private async Task<StreamSystemResult> RunSystemAsync(StreamSystem system, BenchPaths paths, string reference)
    {
        var appends = await OnFreshServerAsync(system, paths, reference, server => MeasureAppendsAsync(server));
        var fanout = await OnFreshServerAsync(system, paths, reference, server => MeasureFanoutAsync(server));
        var catchUp = await OnFreshServerAsync(system, paths, reference, server => MeasureCatchUpAsync(server));
        return new StreamSystemResult(system, appends, fanout, catchUp);
    }

    private async Task<T> OnFreshServerAsync<T>(StreamSystem system, BenchPaths paths, string reference, Func<StreamServer, Task<T>> measure)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-streams-");
        ChildServer? child = null;
        try
        {
            child = system == StreamSystem.Switchboard
                ? await ChildServer.StartAsync(paths.SwitchboardDll, ["--data-dir", data.FullName],
                    new Dictionary<string, string> { ["Switchboard__Http__WriteRateLimit"] = "0" })
                : await ChildServer.StartAsync(Path.Combine(reference, "reference-server.mjs"), []);
            using var server = new StreamServer(system, child);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] streams {server.Name}: started pid {child.Pid} at {child.BaseAddress}");
            return await measure(server);
        }
        finally
        {
            if (child is not null)
            {
                await child.DisposeAsync();
            }

            data.Delete(recursive: true);
        }
    }

    private async Task<StreamAppendResult> MeasureAppendsAsync(StreamServer server)
    {
        var streams = Enumerable.Range(0, Producers).Select(i => $"bench/appends/p{i}").ToArray();
        foreach (var stream in streams)
        {
            await server.CreateAsync(stream);
        }

        var body = Encoding.ASCII.GetBytes(new string('a', AppendBytes));
        long acknowledged = 0, refused = 0;
        var perProducer = new long[Producers];
        async Task ProduceAsync(int producer, TimeSpan duration, bool counted)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                using var request = server.Append(streams[producer], body);
                request.Headers.Add("Producer-Id", $"producer-{producer}");
                request.Headers.Add("Producer-Epoch", "0");
                request.Headers.Add("Producer-Seq", perProducer[producer].ToString(System.Globalization.CultureInfo.InvariantCulture));
                using var response = await server.Http.SendAsync(request);
                if (response.IsSuccessStatusCode)
                {
                    perProducer[producer]++;
                    if (counted)
                    {
                        Interlocked.Increment(ref acknowledged);
                    }
                }
                else
                {
                    Interlocked.Increment(ref refused);
                    await Task.Delay(TimeSpan.FromMilliseconds(100));
                }
            }
        }

        // Warm-up until the runtime has stopped recompiling, then the measured window.
        var (warm, tiering) = await TieredWarmUp.RunAsync(server.Pid, WarmUpLimit,
            step => Task.WhenAll(Enumerable.Range(0, Producers).Select(p => Task.Run(() => ProduceAsync(p, step, counted: false)))));
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] streams {server.Name}: appends warmed up in {warm.TotalSeconds:F0} s (tiered compilation {tiering:F2} s of CPU)");
        var window = Window.Start(server.Pid);
        await Task.WhenAll(Enumerable.Range(0, Producers).Select(p => Task.Run(() => ProduceAsync(p, options.StreamDuration, counted: true))));
        var (seconds, cpu) = window.Stop();

        // Every acknowledged byte is there, once.
        long expected = 0, found = 0;
        for (var p = 0; p < Producers; p++)
        {
            expected += perProducer[p] * AppendBytes;
            found += (await server.ReadAllAsync(streams[p])).Bytes;
        }

        var result = new StreamAppendResult(acknowledged, refused, seconds, cpu, expected, found);
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] streams {server.Name}: {result.AppendsPerSecond:N0} appends/s of {AppendBytes} bytes from {Producers} producers, " +
            $"{result.CpuMicrosPerAppend:F1} µs server CPU/append, {refused} refused, {found:N0} of {expected:N0} acknowledged bytes read back");
        return result;
    }

    private async Task<StreamCatchUpResult> MeasureCatchUpAsync(StreamServer server)
    {
        const string stream = "bench/catch-up";
        await server.CreateAsync(stream);
        var chunk = Encoding.ASCII.GetBytes(new string('c', CatchUpAppendBytes));
        var total = (long)options.StreamMegabytes * 1024 * 1024;
        for (long written = 0; written < total; written += chunk.Length)
        {
            using var request = server.Append(stream, chunk);
            using var response = await server.Http.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        // Warm-up reads (as the other workloads warm up), then the measured ones; the median of those is reported.
        var reads = new List<StreamCatchUpResult>();
        for (var i = 0; i < CatchUpWarmUps + CatchUpReads; i++)
        {
            var window = Window.Start(server.Pid);
            var read = await server.ReadAllAsync(stream);
            var (seconds, cpu) = window.Stop();
            var result = new StreamCatchUpResult(total, read.Bytes, read.Requests, seconds, cpu);
            var measured = i >= CatchUpWarmUps;
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] streams {server.Name}: {(measured ? "" : "warm-up ")}catch-up of {read.Bytes / 1e6:N0} MB in {seconds:F2} s " +
                $"({result.MegabytesPerSecond:N0} MB/s, {read.Requests} requests, {cpu:F2} s server CPU)");
            if (measured)
            {
                reads.Add(result);
            }
        }

        return reads.OrderBy(r => r.MegabytesPerSecond).ElementAt(reads.Count / 2);
    }
}

/// <summary>Wall-clock and server CPU seconds of one measured window.</summary>
internal readonly record struct Window(Stopwatch Clock, int Pid, double Cpu0)
{
    public static Window Start(int pid) => new(Stopwatch.StartNew(), pid, ProcStats.CpuSeconds(pid));

    public (double Seconds, double Cpu) Stop() => (Clock.Elapsed.TotalSeconds, ProcStats.CpuSeconds(Pid) - Cpu0);
}

/// <summary>Which server a Durable Streams measurement ran on.</summary>
internal enum StreamSystem
{
    Switchboard,
    Reference,
}

/// <summary>A started stream server: its client, its process and where its streams live.</summary>
internal sealed class StreamServer : IDisposable
{
    private readonly string _prefix;

    public StreamServer(StreamSystem system, ChildServer server)
    {
        System = system;
        Pid = server.Pid;
        _prefix = system == StreamSystem.Switchboard ? "/v1/stream/" : "/";
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = server.BaseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };
    }

    public StreamSystem System { get; }

    public string Name => System == StreamSystem.Switchboard ? "Switchboard" : "reference";

    public int Pid { get; }

    public HttpClient Http { get; }

    public string Url(string stream) => _prefix + stream;

    public async Task CreateAsync(string stream)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, Url(stream)) { Content = new ByteArrayContent([]) };
        request.Content.Headers.ContentType = new("text/plain");
        using var response = await Http.SendAsync(request);
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
        {
            throw new InvalidOperationException($"{Name}: creating {stream} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public HttpRequestMessage Append(string stream, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Url(stream)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("text/plain");
        return request;
    }

    /// <summary>Reads <paramref name="stream"/> from its start to its tail, following <c>Stream-Next-Offset</c>.</summary>
    public async Task<(long Bytes, int Requests)> ReadAllAsync(string stream)
    {
        var offset = "-1";
        long bytes = 0;
        var requests = 0;
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var response = await Http.GetAsync($"{Url(stream)}?offset={Uri.EscapeDataString(offset)}", HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            requests++;
            await using (var body = await response.Content.ReadAsStreamAsync())
            {
                int n;
                while ((n = await body.ReadAsync(buffer)) > 0)
                {
                    bytes += n;
                }
            }

            offset = response.Headers.GetValues("Stream-Next-Offset").First();
            if (response.Headers.TryGetValues("Stream-Up-To-Date", out var upToDate) && upToDate.First() == "true")
            {
                return (bytes, requests);
            }
        }
    }

    public void Dispose() => Http.Dispose();
}

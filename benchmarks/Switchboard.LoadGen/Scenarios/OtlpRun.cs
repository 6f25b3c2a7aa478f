using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Http.Headers;
using Switchboard.LoadGen.Clients;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Report;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// OpenTelemetry in, on one node (issue 27): http/protobuf trace exports of 512 GenAI spans across 100 conversations
/// (<see cref="OtlpRequests"/>), sent by <see cref="BenchOptions.OtlpSenders"/> exporters back to back, while 1,000
/// WebSocket subscribers watch <c>sessions</c>. Reports spans/s, the server's CPU per span and the events appended per
/// request (at most one per session: 100), and checks that every event appended reached every subscriber. Each
/// subscriber counts the <c>session_*</c> records whose seq lies in the measured range, so the warm-up before it and
/// any summary frame are left out.
/// </summary>
internal sealed class OtlpRun(BenchOptions options, TextWriter log)
{
    public const int Subscribers = 1_000;
    private static readonly MediaTypeHeaderValue Protobuf = new("application/x-protobuf");

    // An A/B arm warms up until the runtime has stopped recompiling (see TieredWarmUp), at most this long.
    private static readonly TimeSpan WarmUpLimit = TimeSpan.FromSeconds(30);

    /// <summary>A server's environment for OTLP over HTTP only: no gRPC listener, whose port two servers would share.</summary>
    public static Dictionary<string, string> ServerEnvironment(IDictionary<string, string> environment) =>
        new(environment) { ["Switchboard__Otlp__GrpcUrls"] = "" };

    public async Task<OtlpResult> RunAsync(BenchPaths paths)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-otlp-");
        var target = new SwitchboardTarget(ServerEnvironment(options.SwitchboardEnvironment));
        try
        {
            await target.StartAsync(paths, data.FullName);
            var requests = new OtlpRequests(Guid.NewGuid().ToString("N")[..8]);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] otlp: requests of {OtlpRequests.SpansPerRequest} spans across {OtlpRequests.Conversations} " +
                $"conversations, {requests.Bytes / 1024.0:F0} KiB each, {options.OtlpSenders} senders");

            // Warm-up: the sessions exist and the code is tiered up before anything is measured.
            await SendAsync(target, requests, options.OtlpSenders, TimeSpan.FromSeconds(options.Quick ? 3 : 10));
            var alone = await MeasureAsync(target, requests, sink: null, closed: () => 0);

            var sink = new SeqRangeSink(Subscribers);
            var protocol = new PhoenixProtocol();
            await using var pool = new SubscriberPool(target.Server.EndPoint, protocol);
            await pool.GrowToAsync(Subscribers, _ => ["sessions"], CancellationToken.None);
            protocol.Sink = sink;
            var watched = await MeasureAsync(target, requests, sink, () => protocol.UnexpectedCloses);
            return new OtlpResult(alone, watched, options.OtlpSenders);
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    /// <summary>
    /// An A/B arm (<c>--ab</c>): only the measured window with <see cref="Subscribers"/> watching, on
    /// <paramref name="target"/> started on a fresh data directory (its environment from <see cref="ServerEnvironment"/>).
    /// The subscribers join before the warm-up, so the fan-out's code is tiered up too when the window starts.
    /// </summary>
    public async Task<OtlpPhase> MeasureWatchedAsync(BenchPaths paths, SwitchboardTarget target)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-otlp-");
        try
        {
            await target.StartAsync(paths, data.FullName);
            var requests = new OtlpRequests(Guid.NewGuid().ToString("N")[..8]);
            var sink = new SeqRangeSink(Subscribers);
            var protocol = new PhoenixProtocol();
            await using var pool = new SubscriberPool(target.Server.EndPoint, protocol);
            await pool.GrowToAsync(Subscribers, _ => ["sessions"], CancellationToken.None);
            protocol.Sink = sink;
            var (elapsed, tiering) = await TieredWarmUp.RunAsync(target.Server.Pid, WarmUpLimit,
                step => SendAsync(target, requests, options.OtlpSenders, step));
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] otlp {target.Name}: warmed up in {elapsed.TotalSeconds:F0} s (tiered compilation {tiering:F2} s of CPU)");
            return await MeasureAsync(target, requests, sink, () => protocol.UnexpectedCloses);
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    /// <summary>One measured window; with a sink, waits until every subscriber has every event appended in it.</summary>
    private async Task<OtlpPhase> MeasureAsync(Target target, OtlpRequests requests, SeqRangeSink? sink, Func<int> closed)
    {
        await SettleAsync(target);
        var head0 = await IngestRun.HeadAsync(target);
        if (sink is not null)
        {
            sink.From = head0;
        }

        var cpu0 = ProcStats.CpuSeconds(target.Server.Pid);
        var clock = Stopwatch.StartNew();
        var (accepted, refused) = await SendAsync(target, requests, options.OtlpSenders, options.OtlpDuration);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = ProcStats.CpuSeconds(target.Server.Pid) - cpu0;
        var load = MachineInfo.LoadAverage();
        await SettleAsync(target);
        var head = await IngestRun.HeadAsync(target);
        var appended = head - head0;
        if (sink is not null)
        {
            // Events the node appends on its own later (an agent quiet for IdleAfter goes idle) are not the window's.
            sink.To = head;
        }

        var deadline = Stopwatch.StartNew();
        while (sink is not null && sink.Fewest < appended && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
        }

        var phase = new OtlpPhase(sink is null ? 0 : Subscribers, accepted, refused, seconds, cpu, appended,
            sink?.Fewest ?? appended, sink?.Most ?? appended, closed(), load);
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] otlp {target.Name}, {phase.Subscribers:N0} subscribers: {phase.SpansPerSecond:N0} spans/s, " +
            $"{phase.CpuMicrosPerSpan:F2} µs server CPU/span, {phase.EventsPerRequest:F2} events/request, " +
            $"delivered {phase.FewestDelivered:N0}–{phase.MostDelivered:N0} of {appended:N0} to each subscriber, {refused} refused, load {load}");
        return phase;
    }

    /// <summary>Sends requests back to back from <paramref name="senders"/> exporters for <paramref name="duration"/>.</summary>
    private static async Task<(long Accepted, long Refused)> SendAsync(Target target, OtlpRequests requests, int senders, TimeSpan duration)
    {
        long accepted = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/traces")
                {
                    Content = new ByteArrayContent(requests.Next()) { Headers = { ContentType = Protobuf } },
                };
                using var response = await target.Http.SendAsync(request);
                await response.Content.LoadIntoBufferAsync();
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref accepted);
                }
                else
                {
                    Interlocked.Increment(ref refused);
                }

                if (!response.IsSuccessStatusCode)
                {
                    // An exporter backs off as Retry-After says before it sends again.
                    await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                }
            }
        })));
        return (accepted, refused);
    }

    /// <summary>Waits until the node has fanned out everything committed.</summary>
    private static async Task SettleAsync(Target target)
    {
        for (var i = 0; i < 600; i++)
        {
            var metrics = await target.Http.GetStringAsync("/metrics");
            var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("switchboard_fanout_pending ", StringComparison.Ordinal));
            if (line is not null && line.EndsWith(" 0", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100);
        }
    }
}

/// <summary>One measured window of the OTLP run: what was sent, what the server spent, what reached the subscribers.</summary>
internal sealed record OtlpPhase(int Subscribers, long Requests, long Refused, double Seconds, double CpuSeconds, long EventsAppended,
    long FewestDelivered, long MostDelivered, int SubscribersClosed, string Load)
{
    public long Spans => Requests * OtlpRequests.SpansPerRequest;

    public double SpansPerSecond => Spans / Seconds;

    public double CpuMicrosPerSpan => Spans > 0 ? CpuSeconds * 1e6 / Spans : double.NaN;

    public double EventsPerRequest => Requests > 0 ? (double)EventsAppended / Requests : double.NaN;

    /// <summary>Event frames handed to subscribers per second (each event to each subscriber).</summary>
    public double DeliveriesPerSecond => EventsAppended * (double)Subscribers / Seconds;

    /// <summary>At most one event per session per request: never more than the request's 100 conversations.</summary>
    public bool Coalesced => EventsAppended <= Requests * OtlpRequests.Conversations;

    public bool DeliveredToAll => FewestDelivered == EventsAppended && MostDelivered == EventsAppended && SubscribersClosed == 0;
}

/// <summary>The OTLP run: the ingest alone, then the same with 1,000 subscribers watching <c>sessions</c>.</summary>
internal sealed record OtlpResult(OtlpPhase Alone, OtlpPhase Watched, int Senders)
{
    public bool Passed => Alone.Coalesced && Watched.Coalesced && Watched.DeliveredToAll;
}

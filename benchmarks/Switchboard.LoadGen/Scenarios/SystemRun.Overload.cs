using System.Diagnostics;
using System.Net;
using Switchboard.LoadGen.Clients;
using Switchboard.LoadGen.Measure;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Overload: publishers keep <see cref="BenchOptions.OverloadInFlight"/> requests in flight for a while, each sent as soon
/// as the last one was answered and never paced by delivery, far above what the node can fan out. A healthy system slows
/// the publishers (or refuses with 503) and disconnects no subscriber; every accepted event reaches every subscriber.
/// It runs twice: with the epoll subscribers, then with as many <see cref="ClientWebSocketPool"/> subscribers (slower
/// readers, the way applications read), which is where a deep queue shows as latency.
/// </summary>
internal sealed partial class SystemRun
{
    private async Task OverloadAsync()
    {
        // The mixed scenario joined session topics too; the overload runs on the global topic alone.
        await _pool.JoinAsync(_ => [target.GlobalTopic], CancellationToken.None);
        await RunOverloadAsync($"overload ({options.OverloadInFlight} in flight, open loop)", _pool.Count);
    }

    private async Task OverloadClientWebSocketAsync()
    {
        var n = _pool.Count;
        await _pool.ShrinkToAsync(0);
        var server = new Uri($"ws://{target.Server.EndPoint}{_protocol.PathAndQuery}");
        await using var subscribers = new ClientWebSocketPool(server, _protocol);
        await subscribers.OpenAsync(n, target.GlobalTopic, CancellationToken.None);
        Log($"{n} ClientWebSocket subscribers connected and joined");
        await RunOverloadAsync($"overload, ClientWebSocket subscribers ({options.OverloadInFlight} in flight)", subscribers.Count);
    }

    private async Task RunOverloadAsync(string name, int n)
    {
        var tracker = NewTracker(4_000_000);
        var errors = 0L;
        var refused = 0L;
        ProcStats.ResetPeak(Pid);
        var counters0 = await target.ReadWriteCountersAsync();
        var latency0 = await target.ReadLatencyCountersAsync();
        var closes0 = _protocol.UnexpectedCloses;
        var cpu0 = CpuWindow.Start(Pid);
        var clock = Stopwatch.StartNew();
        _protocol.Sink = tracker;
        var lanes = Enumerable.Range(0, options.OverloadInFlight).Select(lane => Task.Run(async () =>
        {
            while (clock.Elapsed < options.OverloadDuration && tracker.Reserve(n) is { } marker)
            {
                using var request = target.Publish(marker, Bench[lane % BenchSessions]);
                tracker.MarkSent(marker);
                try
                {
                    using var response = await target.Http.SendAsync(request);
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null)
                    {
                        Interlocked.Increment(ref refused);
                        tracker.Withdraw(marker);
                    }
                    else if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                        tracker.Withdraw(marker);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                    tracker.Withdraw(marker);
                }
            }
        })).ToArray();
        await Task.WhenAll(lanes);
        var complete = await tracker.WaitForAllAsync(TimeSpan.FromSeconds(60));
        var seconds = clock.Elapsed.TotalSeconds;
        var (cpu, selfCpu) = cpu0.Stop();
        _protocol.Sink = null;
        Record(name, n, tracker, seconds, cpu, selfCpu, tracker.Delivered, tracker.Delivered / seconds,
            errors, complete, Ratio(counters0, await target.ReadWriteCountersAsync()), refused);
        var latency1 = await target.ReadLatencyCountersAsync();
        double Delta(string key) => latency1.GetValueOrDefault(key) - latency0.GetValueOrDefault(key);
        if (latency1.Count > 0)
        {
            Log($"{name}: on the server, mean commit → queued {1000 * Delta("switchboard_fanout_duration_seconds_sum") / Math.Max(1, Delta("switchboard_fanout_duration_seconds_count")):F1} ms, " +
                $"mean HTTP write {1000 * Delta("switchboard_http_write_duration_seconds_sum") / Math.Max(1, Delta("switchboard_http_write_duration_seconds_count")):F1} ms, " +
                $"{Delta("switchboard_fanout_pauses_total"):N0} fan-out pauses");
        }

        Log($"{name}: {refused:N0} publishes refused with 503, {_protocol.UnexpectedCloses - closes0} subscribers disconnected");
    }
}

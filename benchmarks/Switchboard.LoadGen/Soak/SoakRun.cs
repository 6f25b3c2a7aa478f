using System.Diagnostics;
using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Clients;
using Switchboard.LoadGen.Scenarios;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Soak;

/// <summary>
/// Runs the real server for <see cref="BenchOptions.SoakMinutes"/> under the churn of issue 30 and samples it every 10 s:
/// <list type="bullet">
/// <item>300 active sessions updating, two created and two ended a second, some abandoned (<see cref="SessionChurn"/>);</item>
/// <item>2,000 WebSocket subscribers on every kind of topic, joined with a presence viewer, ten of them leaving and ten
/// new ones connecting every second;</item>
/// <item>long-poll clients that abandon, SSE clients that stop reading and are cut off, SSE clients that hang up
/// (<see cref="VanishingClients"/>);</item>
/// <item>alert rules raising and resolving alerts, a webhook receiving every event, retention purging all the time (events
/// are kept 5 minutes);</item>
/// <item>two control subscribers that stay the whole run and must receive every committed event exactly once.</item>
/// </list>
/// </summary>
internal sealed class SoakRun(BenchOptions options, TextWriter log)
{
    private const int Subscribers = 2_000;
    private const int ChurnPerSecond = 10;
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(10);

    public async Task<SoakResult> RunAsync(BenchPaths paths)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-soak-");
        using var receiver = new WebhookReceiver();
        var env = new Dictionary<string, string>
        {
            ["Switchboard__Retention__MaxAge"] = "00:05:00",
            ["Switchboard__Retention__MaxEvents"] = "100000",
            ["Switchboard__Retention__PurgeInterval"] = "00:00:30",
            ["Switchboard__Usage__GroupBy__0"] = "team",
            ["Switchboard__Usage__GroupBy__1"] = "model",
        };
        var target = new SwitchboardTarget(env);
        try
        {
            await target.StartAsync(paths, data.FullName);
            await SetUpAlertsAsync(target, receiver);
            return await SoakAsync(target, receiver);
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    private async Task<SoakResult> SoakAsync(SwitchboardTarget target, WebhookReceiver receiver)
    {
        var ws = new Uri($"ws://{target.Server.BaseAddress.Authority}/socket/websocket?vsn=2.0.0");
        using var stop = new CancellationTokenSource();
        var controls = new[] { await ControlSubscriber.StartAsync(ws, stop.Token), await ControlSubscriber.StartAsync(ws, stop.Token) };
        var sessions = new SessionChurn(target);
        var producing = sessions.RunAsync(stop.Token);
        var protocol = new PhoenixProtocol((topic, n) => topic.StartsWith("session", StringComparison.Ordinal)
            ? $$$"""{"viewer":{"name":"soak-viewer-{{{n}}}"}}""" : "{}");
        await using var pool = new SubscriberPool(target.Server.EndPoint, protocol);
        IReadOnlyList<string> TopicsFor(int i) => (i % 5) switch
        {
            0 => ["sessions"],
            1 => ["summary"],
            2 => ["session:" + sessions.AnyActive()],
            3 => ["alerts"],
            _ => ["usage"],
        };
        await pool.GrowToAsync(Subscribers, TopicsFor, stop.Token);
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] soak: {pool.Count:N0} subscribers, {SessionChurn.ActiveSessions} sessions; running {options.SoakMinutes} min");
        var vanishing = new VanishingClients(target.Server.BaseAddress);
        var clients = vanishing.RunAsync(stop.Token);
        var churn = ChurnSubscribersAsync(pool, TopicsFor, stop.Token);

        var samples = new List<SoakSample>();
        var duration = TimeSpan.FromMinutes(options.SoakMinutes);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<(string Type, long Count, long Bytes)>? afterWarmUp = null;
        for (var next = TimeSpan.Zero; next <= duration; next += SampleEvery)
        {
            if (afterWarmUp is null && next.TotalMinutes >= SoakResult.WarmUpMinutes)
            {
                afterWarmUp = await HeapCensus.TakeAsync(target.Server.Pid);
            }

            if (next > clock.Elapsed)
            {
                await Task.Delay(next - clock.Elapsed);
            }

            var sample = await SoakSampler.TakeAsync(target, clock.Elapsed.TotalMinutes);
            samples.Add(sample);
            if (samples.Count % 6 == 1)
            {
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{DateTime.Now:HH:mm:ss}] soak {sample.Minutes:F1} min: RSS after GC {sample.RssAfterGc / 1048576.0:F1} MiB (anonymous {sample.RssAnonAfterGc / 1048576.0:F1}), heap {sample.HeapAfterGc / 1048576.0:F1} MiB, " +
                    $"{sample.OpenFiles} files, {sample.Threads} threads ({sample.PoolWorkers} pool workers), {sample.Connections} connections, queued {sample.SendQueueBytes / 1024.0:F0} KiB, " +
                    $"inboxes {sample.LiveInbox}/{sample.AlertsInbox}, {sample.EventsAppended:N0} events, {sessions.Failures + vanishing.Failures} failures, load {sample.Load}"));
            }
        }

        if (afterWarmUp is not null)
        {
            LogHeapGrowth(afterWarmUp, await HeapCensus.TakeAsync(target.Server.Pid));
        }

        await stop.CancelAsync();
        await Task.WhenAll(producing, clients, churn);
        var head = await IngestRun.HeadAsync(target);
        var types = controls[0].Types;
        var checks = new List<ControlCheck>();
        foreach (var control in controls)
        {
            await control.WaitForAsync(head, TimeSpan.FromSeconds(60));
            var (missing, first) = control.Missing(head);
            checks.Add(new ControlCheck(control.Received, missing, first, control.Duplicates, control.ClosedEarly));
            await control.DisposeAsync();
        }

        return new SoakResult(samples, head, checks, sessions.Acknowledged, sessions.Conflicts, sessions.Failures + vanishing.Failures,
            sessions.Created, sessions.Terminated, vanishing.LongPollsAbandoned, vanishing.SseStalled, vanishing.SseReaders,
            protocol.UnexpectedCloses, receiver.Received, types);
    }

    /// <summary>The types whose live bytes grew most between the end of the warm-up and the end of the run: where a leak would show.</summary>
    private void LogHeapGrowth(IReadOnlyList<(string Type, long Count, long Bytes)> before, IReadOnlyList<(string Type, long Count, long Bytes)> after)
    {
        var then = before.ToDictionary(t => t.Type, t => (t.Count, t.Bytes), StringComparer.Ordinal);
        var growth = after
            .Select(t => (t.Type, Count: t.Count - then.GetValueOrDefault(t.Type).Count, Bytes: t.Bytes - then.GetValueOrDefault(t.Type).Bytes))
            .OrderByDescending(t => t.Bytes)
            .Take(15);
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] soak: live objects that grew most since the warm-up (objects, bytes):");
        foreach (var (type, count, bytes) in growth)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {count,10:N0} {bytes,14:N0}  {type}"));
        }
    }

    /// <summary>Every second, the ten newest subscribers leave and ten new ones connect and join (presence included).</summary>
    private static async Task ChurnSubscribersAsync(SubscriberPool pool, Func<int, IReadOnlyList<string>> topicsFor, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await pool.ShrinkToAsync(Subscribers - ChurnPerSecond);
                await pool.GrowToAsync(Subscribers, topicsFor, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task SetUpAlertsAsync(Target target, WebhookReceiver receiver)
    {
        string[] rules =
        [
            """{"id":"errors","name":"soak errors","condition":"session_error"}""",
            """{"id":"leases","name":"soak leases","condition":"lease_expired"}""",
            """{"id":"stalled","name":"soak stalled","condition":"stalled","seconds":20}""",
            """{"id":"pricey","name":"soak pricey","condition":"session_cost","threshold":0.05}""",
            """{"id":"error-burst","name":"soak error-burst","condition":"error_count","threshold":3,"window_seconds":60}""",
            """{"id":"crowd","name":"soak crowd","condition":"active_count","threshold":310}""",
            """{"id":"burn","name":"soak burn","condition":"burn_rate","metric":"tokens","threshold":5000000,"window_seconds":60}""",
        ];
        foreach (var rule in rules)
        {
            await PostAsync(target, "/api/alert-rules", rule);
        }

        await PostAsync(target, "/api/webhooks", $$"""{"id":"soak-hook","url":"http://127.0.0.1:{{receiver.Port}}/hook"}""");
    }

    private static async Task PostAsync(Target target, string path, string body)
    {
        using var response = await target.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} {body} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}

/// <summary>What one control subscriber received by the end: every committed event, exactly once, is the target.</summary>
internal sealed record ControlCheck(long Received, long Missing, IReadOnlyList<long> FirstMissing, long Duplicates, string? ClosedEarly)
{
    public bool Complete => Missing == 0 && Duplicates == 0 && ClosedEarly is null;
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Updates persisted per second on SQLite: through <c>/api/batch</c> (100 updates a request) and through single
/// PATCHes, with no subscribers, SQLite's own ceiling for the same rows (<see cref="SqliteCeiling"/>) and the cost of alerting
/// (IngestRun.Alerts.cs). A 2xx means committed; the log head before and after must move by exactly the
/// number of acknowledged updates, so nothing is counted that was not persisted.
/// </summary>
internal sealed partial class IngestRun(BenchOptions options, TextWriter log)
{
    private const int Sessions = 1000;
    private const int BatchSize = 100;
    private const int BatchClients = 4;
    private const int PatchClients = 64;

    // Warm-up runs in steps until the runtime has stopped recompiling (see WarmUpAsync).
    private static readonly TimeSpan WarmUpLimit = TimeSpan.FromSeconds(40);

    private long _value;

    public async Task<IReadOnlyList<IngestResult>> RunAsync(BenchPaths paths)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-ingest-");
        var target = new SwitchboardTarget();
        try
        {
            await StartWithSessionsAsync(target, paths, data.FullName);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] ingest: Switchboard: started pid {target.Server.Pid}");

            // Warm up both paths until their code is tiered up, then measure.
            await WarmUpAsync(target, BatchClients, BatchOnceAsync);
            await WarmUpAsync(target, 8, PatchOnceAsync);
            var batch = await MeasureAsync(target, $"/api/batch ({BatchSize} updates per request, {BatchClients} clients)", BatchClients, options.IngestDuration, BatchOnceAsync);
            var patch = await MeasureAsync(target, $"single PATCH ({PatchClients} clients)", PatchClients, options.IngestDuration, PatchOnceAsync);

            // The ceiling runs on the file the server just wrote, once the server has stopped.
            await target.DisposeAsync();
            var ceiling = SqliteCeiling.Measure(Path.Combine(data.FullName, "switchboard.db"), Sessions, options.IngestDuration, log);
            return [batch, patch, ceiling, .. await CompareAlertsAsync(paths)];
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    /// <summary>Only the <c>/api/batch</c> ingest, on <paramref name="target"/> (an A/B arm), after the same warm-up.</summary>
    public async Task<IngestResult> MeasureBatchAsync(BenchPaths paths, SwitchboardTarget target)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-ingest-");
        try
        {
            await StartWithSessionsAsync(target, paths, data.FullName);
            await WarmUpAsync(target, BatchClients, BatchOnceAsync);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] ingest {target.Name}: measuring pid {target.Server.Pid}"); // a profiler's cue
            return await MeasureAsync(target, $"{target.Name}: /api/batch", BatchClients, options.IngestDuration, BatchOnceAsync);
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    /// <summary>Starts the server on an empty data directory and creates the sessions every update goes to.</summary>
    private static async Task StartWithSessionsAsync(SwitchboardTarget target, BenchPaths paths, string dataDirectory)
    {
        await target.StartAsync(paths, dataDirectory);
        for (var b = 0; b < Sessions / BatchSize; b++)
        {
            var ops = string.Join(',', Enumerable.Range(b * BatchSize, BatchSize).Select(i => $$"""{"op":"create","id":"ingest-{{i}}","state":"working"}"""));
            await PostBatchAsync(target, $$"""{"operations":[{{ops}}]}""");
        }
    }

    /// <summary>Runs <paramref name="once"/> until the server's tiered compilation has settled (<see cref="TieredWarmUp"/>).</summary>
    private async Task WarmUpAsync(SwitchboardTarget target, int clients, Func<Target, Task<int>> once)
    {
        var (elapsed, tiering) = await TieredWarmUp.RunAsync(target.Server.Pid, WarmUpLimit,
            step => MeasureAsync(target, "warm-up", clients, step, once));
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] ingest: warmed up in {elapsed.TotalSeconds:F0} s (tiered compilation {tiering:F2} s of CPU)");
    }

    private async Task<IngestResult> MeasureAsync(Target target, string name, int clients, TimeSpan duration, Func<Target, Task<int>> once)
    {
        var head0 = await HeadAsync(target);
        var pid = target.Server.Pid;
        var cpu0 = ProcStats.CpuSeconds(pid);
        var acknowledged = 0L;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                Interlocked.Add(ref acknowledged, await once(target));
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = ProcStats.CpuSeconds(pid) - cpu0;
        // The projection's head follows the commit within milliseconds.
        long persisted = 0;
        for (var i = 0; i < 100 && persisted != acknowledged; i++)
        {
            persisted = await HeadAsync(target) - head0;
            await Task.Delay(i == 0 ? 0 : 20);
        }

        var result = new IngestResult(name, acknowledged, persisted, seconds, cpu);
        if (name != "warm-up")
        {
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] ingest {name}: {acknowledged:N0} acknowledged, {persisted:N0} persisted, " +
                $"{result.PerSecond:N0} updates/s, CPU {cpu:F2} s ({result.CpuMicrosPerUpdate:F1} µs/update)");
        }

        return result;
    }

    private async Task<int> BatchOnceAsync(Target target)
    {
        var body = new StringBuilder("""{"operations":[""");
        for (var i = 0; i < BatchSize; i++)
        {
            var v = Interlocked.Increment(ref _value);
            body.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$"""{"op":"update","id":"ingest-{{v % Sessions}}","tasks_running":{{v % 1_000_000}}}""");
        }

        return await PostBatchAsync(target, body.Append("]}").ToString());
    }

    private async Task<int> PatchOnceAsync(Target target)
    {
        var v = Interlocked.Increment(ref _value);
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/sessions/ingest-{v % Sessions}")
        {
            Content = new StringContent(string.Create(CultureInfo.InvariantCulture, $$"""{"tasks_running":{{v % 1_000_000}}}"""), Encoding.UTF8, "application/json"),
        };
        using var response = await target.Http.SendAsync(request);
        return response.IsSuccessStatusCode ? 1 : 0;
    }

    /// <summary>Posts one <c>/api/batch</c> body; returns how many of its operations were acknowledged.</summary>
    internal static async Task<int> PostBatchAsync(Target target, string body)
    {
        using var response = await target.Http.PostAsync("/api/batch", new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        var ok = 0;
        foreach (var r in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            ok += r.GetProperty("status").GetInt32() is 200 or 201 ? 1 : 0;
        }

        return ok;
    }

    /// <summary>The log head the server's live view has applied (<c>as_of_seq</c> of the summary).</summary>
    internal static async Task<long> HeadAsync(Target target)
    {
        using var doc = JsonDocument.Parse(await target.Http.GetStringAsync("/api/summary"));
        return doc.RootElement.GetProperty("as_of_seq").GetInt64();
    }
}

/// <summary>Webhook deliveries of the alerts ingest: every event to each of two endpoints.</summary>
internal sealed record WebhookDelivery(long Delivered, long Expected, double Seconds, long DuringIngest)
{
    public double PerSecond => Delivered / Seconds;
}

/// <summary>One ingest measurement.</summary>
internal sealed record IngestResult(string Name, long Acknowledged, long Persisted, double Seconds, double CpuSeconds)
{
    public double PerSecond => Persisted / Seconds;

    public double CpuMicrosPerUpdate => Persisted > 0 ? CpuSeconds * 1e6 / Persisted : double.NaN;
}

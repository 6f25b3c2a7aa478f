using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Usage rollups, on SQLite, against their two targets (ingest with rollups within 10% of ingest without, and a 30-day
/// hourly query split by 20 label values in under 50 ms with 1M events behind it):
/// <list type="number">
/// <item>Ingest through <c>/api/batch</c> with rollups on and off (<c>Switchboard:Usage:Enabled</c>), each on its own
/// fresh server, alternating the order over rounds so drift on a shared machine hits both. Sessions carry
/// <c>team</c> (20 values) and <c>model</c> (5), both rolled up, and every update adds tokens and cost.</item>
/// <item><c>GET /api/usage</c> for 30 days of hourly buckets split by 20 teams, on a database with 1M events behind the
/// rollups. The history is written through the real SQLite store with a clock stepped across the 30 days (the HTTP API
/// stamps events with the server's own time); the real server then answers the queries.</item>
/// </list>
/// </summary>
internal sealed class UsageRun(BenchOptions options, TextWriter log)
{
    private const int Sessions = 1000;
    private const int Teams = 20;
    private const int Models = 5;
    private const int BatchSize = 100;
    private const int BatchClients = 4;

    private long _value;

    public async Task<UsageResults> RunAsync(BenchPaths paths)
    {
        var ingest = new List<UsageIngestResult>();
        for (var round = 0; round < options.UsageRounds; round++)
        {
            foreach (var rollups in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                ingest.Add(await IngestAsync(paths, rollups, round));
            }
        }

        var query = await QueryAsync(paths);
        return new UsageResults(ingest, query);
    }

    private static Dictionary<string, string> Environment(bool rollups) => new()
    {
        ["Switchboard__Usage__Enabled"] = rollups ? "true" : "false",
        ["Switchboard__Usage__GroupBy__0"] = "team",
        ["Switchboard__Usage__GroupBy__1"] = "model",
    };

    private static string Team(int i) => $"team-{i % Teams:00}";

    private static string Model(int i) => $"model-{i % Models}";

    private async Task<UsageIngestResult> IngestAsync(BenchPaths paths, bool rollups, int round)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-usage-ingest-");
        var target = new SwitchboardTarget(Environment(rollups));
        try
        {
            await target.StartAsync(paths, data.FullName);
            for (var b = 0; b < Sessions / BatchSize; b++)
            {
                var ops = string.Join(',', Enumerable.Range(b * BatchSize, BatchSize).Select(i =>
                    $$$"""{"op":"create","id":"u-{{{i}}}","state":"working","labels":{"team":"{{{Team(i)}}}","model":"{{{Model(i / Teams)}}}"}}"""));
                await IngestRun.PostBatchAsync(target, $$"""{"operations":[{{ops}}]}""");
            }

            await MeasureAsync(target, TimeSpan.FromSeconds(2)); // warm-up, so the measured part runs tiered-up code
            var (acknowledged, persisted, seconds, cpu) = await MeasureAsync(target, options.IngestDuration);
            var result = new UsageIngestResult(rollups, round, acknowledged, persisted, seconds, cpu);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] usage ingest, rollups {(rollups ? "on" : "off")}, round {round + 1}: " +
                $"{persisted:N0} persisted, {result.PerSecond:N0} updates/s, {result.CpuMicrosPerUpdate:F1} µs CPU/update");
            return result;
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    private async Task<(long Acknowledged, long Persisted, double Seconds, double Cpu)> MeasureAsync(Target target, TimeSpan duration)
    {
        var head0 = await IngestRun.HeadAsync(target);
        var cpu0 = ProcStats.CpuSeconds(target.Server.Pid);
        var acknowledged = 0L;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, BatchClients).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                Interlocked.Add(ref acknowledged, await IngestRun.PostBatchAsync(target, UsageBatch()));
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = ProcStats.CpuSeconds(target.Server.Pid) - cpu0;
        long persisted = 0;
        for (var i = 0; i < 100 && persisted != acknowledged; i++)
        {
            persisted = await IngestRun.HeadAsync(target) - head0;
            await Task.Delay(i == 0 ? 0 : 20);
        }

        return (acknowledged, persisted, seconds, cpu);
    }

    private string UsageBatch()
    {
        var body = new StringBuilder("""{"operations":[""");
        for (var i = 0; i < BatchSize; i++)
        {
            var v = Interlocked.Increment(ref _value);
            body.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$"""{"op":"usage","id":"u-{{v % Sessions}}","input_tokens":{{100 + v % 900}},"output_tokens":{{v % 300}},"cost_usd":0.0012}""");
        }

        return body.Append("]}").ToString();
    }

    private async Task<UsageQueryResult> QueryAsync(BenchPaths paths)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-usage-query-");
        try
        {
            var seeding = Stopwatch.StartNew();
            var events = await UsageHistory.WriteAsync(Path.Combine(data.FullName, "switchboard.db"), options.UsageEvents, Sessions, Teams, Models,
                TimeSpan.FromDays(30), log);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] usage query: wrote {events:N0} events over 30 days in {seeding.Elapsed.TotalSeconds:F0} s " +
                $"({new FileInfo(Path.Combine(data.FullName, "switchboard.db")).Length / (1024.0 * 1024):F0} MiB)");

            var env = Environment(rollups: true);
            env["Switchboard__Retention__MaxAge"] = "60.00:00:00"; // keep every event: the queries run with all of them on disk
            env["Switchboard__Retention__MaxEvents"] = "10000000";
            await using var target = new SwitchboardTarget(env);
            await target.StartAsync(paths, data.FullName);
            const string query = "/api/usage?bucket=1h&group_by=label:team&since=30d";
            var (series, points, bytes, asOf) = await ReadAsync(target, query);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] usage query: {series} series, {points:N0} points, {bytes / 1024.0:F0} KiB, as_of_seq {asOf:N0}");
            // A server that answers these runs tiered-up code: warm up past the JIT's call-count threshold, and give its
            // background compilation a moment.
            for (var i = 0; i < 40; i++)
            {
                await target.Http.GetByteArrayAsync(query);
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
            var times = new List<double>();
            var cpu0 = ProcStats.CpuSeconds(target.Server.Pid);
            for (var i = 0; i < options.UsageQueries; i++)
            {
                // Timed: the request until the last byte of the answer arrived (parsing it is the client's business).
                var clock = Stopwatch.StartNew();
                await target.Http.GetByteArrayAsync(query);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            var cpu = ProcStats.CpuSeconds(target.Server.Pid) - cpu0;
            times.Sort();
            var result = new UsageQueryResult(query, events, series, points, bytes, times.Count,
                Percentile(times, 0.5), Percentile(times, 0.95), times[^1], cpu * 1000 / times.Count);
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] usage query: p50 {result.P50Ms:F1} ms, p95 {result.P95Ms:F1} ms, max {result.MaxMs:F1} ms, " +
                $"server CPU {result.ServerCpuMsPerQuery:F1} ms/query");
            return result;
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static async Task<(int Series, int Points, long Bytes, long AsOf)> ReadAsync(Target target, string query)
    {
        var bytes = await target.Http.GetByteArrayAsync(query);
        using var doc = JsonDocument.Parse(bytes);
        var series = doc.RootElement.GetProperty("series");
        return (series.GetArrayLength(), series.EnumerateArray().Sum(s => s.GetProperty("points").GetArrayLength()), bytes.Length,
            doc.RootElement.GetProperty("as_of_seq").GetInt64());
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}

/// <summary>One ingest measurement with rollups on or off.</summary>
internal sealed record UsageIngestResult(bool Rollups, int Round, long Acknowledged, long Persisted, double Seconds, double CpuSeconds)
{
    public double PerSecond => Persisted / Seconds;

    public double CpuMicrosPerUpdate => Persisted > 0 ? CpuSeconds * 1e6 / Persisted : double.NaN;
}

/// <summary>Latency of <c>GET /api/usage</c> measured from the client, one request at a time.</summary>
internal sealed record UsageQueryResult(string Query, long Events, int Series, int Points, long Bytes, int Queries,
    double P50Ms, double P95Ms, double MaxMs, double ServerCpuMsPerQuery);

internal sealed record UsageResults(IReadOnlyList<UsageIngestResult> Ingest, UsageQueryResult Query);

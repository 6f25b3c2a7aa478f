using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Scenarios;

namespace Switchboard.LoadGen.Report;

/// <summary>
/// Writes the usage benchmark (<c>--usage</c>) into its own generated section of <c>docs/benchmarks.md</c>, so it and
/// the main run can be refreshed independently.
/// </summary>
internal sealed class UsageReport : SectionReport<UsageResults>
{
    public const string Begin = "<!-- BEGIN GENERATED USAGE: written by benchmarks/Switchboard.LoadGen --usage; do not edit by hand -->";
    public const string End = "<!-- END GENERATED USAGE -->";

    private readonly StringBuilder _md = new();

    /// <summary>Replaces the usage section of <paramref name="path"/>, appending one if there is none.</summary>
    public void WriteInto(string path) => GeneratedSection.WriteInto(path, Begin, End, Render());

    public string Render()
    {
        _md.Clear();
        Line("### Usage rollups: latest run");
        Line();
        Line(Head());
        Line($"- **Load average** (1/5/15 min) before: {LoadBefore}; after: {LoadAfter}. The machine is shared: anything above ~0.5 means other work ran on the same cores.");
        Line();
        Line("**Ingest through `/api/batch`** (100 usage updates per request, 4 clients, 1,000 sessions labelled with 20 teams and 5 models, both rolled up), " +
             $"each run on a fresh server for {Options.IngestDuration.TotalSeconds:F0} s; on and off alternate over rounds:");
        Line();
        Line("| rollups | round | persisted | updates/s | server CPU/update |");
        Line("|---|---:|---:|---:|---:|");
        foreach (var r in Results.Ingest)
        {
            Line($"| {(r.Rollups ? "on" : "off")} | {r.Round + 1} | {N(r.Persisted)} | {N(r.PerSecond)} | {r.CpuMicrosPerUpdate:F1} µs |");
        }

        var on = Results.Ingest.Where(r => r.Rollups).ToList();
        var off = Results.Ingest.Where(r => !r.Rollups).ToList();
        if (on.Count > 0 && off.Count > 0)
        {
            var rate = Median(on.Select(r => r.PerSecond)) / Median(off.Select(r => r.PerSecond));
            var cpu = Median(on.Select(r => r.CpuMicrosPerUpdate)) / Median(off.Select(r => r.CpuMicrosPerUpdate));
            Line();
            Line($"Rollups on vs off, median over rounds: **{rate * 100:F0}%** of the throughput ({(rate >= 0.9 ? "within" : "not within")} the 10% target), " +
                 $"**{cpu * 100:F0}%** of the server CPU per update. On a shared machine the throughput swings with whatever else runs; " +
                 "CPU per update is the steadier of the two.");
        }

        var q = Results.Query;
        Line();
        Line($"**`GET {q.Query}`** on SQLite with {N(q.Events)} events behind the rollups (all still in the log): {q.Series} series, " +
             $"{N(q.Points)} points, {q.Bytes / 1024.0:F0} KiB of JSON; {q.Queries} queries one after another after 40 warm-up ones, each timed at the " +
             "client from the request to the last byte of the answer:");
        Line();
        Line("| p50 | p95 | max | server CPU/query | target |");
        Line("|---:|---:|---:|---:|---|");
        Line($"| {q.P50Ms:F1} ms | {q.P95Ms:F1} ms | {q.MaxMs:F1} ms | {q.ServerCpuMsPerQuery:F1} ms | < 50 ms: {(q.P50Ms < 50 ? "met at p50" : "missed at p50")}{(q.P95Ms < 50 ? ", met at p95" : ", missed at p95")} |");
        return _md.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private void Line(string text = "") => _md.Append(text).Append('\n');
}

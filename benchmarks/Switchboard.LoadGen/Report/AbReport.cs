using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Scenarios;

namespace Switchboard.LoadGen.Report;

/// <summary>
/// Writes an A/B run (<c>--ab REF</c>) into its own generated section of <c>docs/benchmarks.md</c>: every round of
/// every arm, then the medians compared, with the spread across rounds so a difference can be told from noise.
/// </summary>
internal sealed class AbReport : SectionReport<AbResults>
{
    public const string Begin = "<!-- BEGIN GENERATED AB: written by benchmarks/Switchboard.LoadGen --ab REF; do not edit by hand -->";
    public const string End = "<!-- END GENERATED AB -->";

    private readonly StringBuilder _md = new();

    public void WriteInto(string path) => GeneratedSection.WriteInto(path, Begin, End, Render());

    public string Render()
    {
        var r = Results;
        _md.Clear();
        Line("### Before and after: latest A/B run");
        Line();
        Line($"- **Command:** `dotnet run -c Release --project benchmarks/Switchboard.LoadGen -- {Options.CommandLine}` (took {Elapsed.TotalMinutes:F1} min)");
        Line($"- **Date:** {Started:yyyy-MM-dd HH:mm} UTC; after = commit `{Machine.Commit}`, {r.Before}");
        Line($"- **Machine:** {Machine.Cores} cores ({Machine.Cpu}), {Machine.MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB RAM, {Machine.Os}, Linux {Machine.Kernel}, {Machine.Runtime}");
        Line($"- **Load average** (1/5/15 min) before: {LoadBefore}; after: {LoadAfter}.");
        Line($"- {Options.AbRounds} rounds; each arm on a fresh server per round, the order reversed every other round. " +
             $"{N(Options.Connections)} subscribers at 1 msg/s for {Options.SlowRateDuration.TotalSeconds:F0} s; saturated: {N(Options.SaturatedConnections)} subscribers, " +
             $"{Options.Publishers} publishers, {Options.Window} events in flight, {Options.SaturatedMeasure.TotalSeconds:F0} s measured; ingest: `/api/batch` for {Options.IngestDuration.TotalSeconds:F0} s.");
        Line();
        Line("| round | arm | saturated deliveries/s | CPU/delivery | p99 POST → last subscriber at 1 msg/s | ingest updates/s | complete |");
        Line("|---:|---|---:|---:|---:|---:|---|");
        foreach (var round in r.Fanout.Select(f => f.Round).Distinct().Order())
        {
            foreach (var arm in new[] { r.Before, r.After, r.Storm })
            {
                var saturated = Find(round, arm, "saturated");
                var slow = Find(round, arm, "fixed 1 msg/s");
                var ingest = r.Ingest.FirstOrDefault(i => i.Round == round && i.Arm == arm).Result;
                Line($"| {round + 1} | {arm} | {N(saturated?.DeliveriesPerSecond)} | {Us(saturated?.CpuMicrosPerDelivery)} | {Ms(slow?.LastSubscriber?.P99)} | {N(ingest?.PerSecond)} | " +
                     $"{(new[] { saturated, slow }.All(x => x is null || x.Complete) ? "yes" : "**no**")} |");
            }
        }

        Line();
        Line("Medians over rounds (after ÷ before; the range is the spread of the ratio across rounds):");
        Line();
        Line("| measure | before | after | after ÷ before |");
        Line("|---|---:|---:|---:|");
        Compare("saturated deliveries/s", r.Before, r.After, a => Values(a, "saturated", x => x.DeliveriesPerSecond), v => N(v));
        Compare("server CPU per delivery", r.Before, r.After, a => Values(a, "saturated", x => x.CpuMicrosPerDelivery), v => Us(v));
        Compare("p99 at 1 msg/s", r.Before, r.After, a => Values(a, "fixed 1 msg/s", x => x.LastSubscriber?.P99 ?? double.NaN), v => Ms((long)v));
        Compare("ingest updates/s", r.Before, r.After, a => r.Ingest.Where(i => i.Arm == a).OrderBy(i => i.Round).Select(i => i.Result.PerSecond).ToList(), v => N(v));
        Line();
        Line("| measure | after | after, scraped | scraped ÷ after |");
        Line("|---|---:|---:|---:|");
        Compare($"saturated deliveries/s with {AbRun.ScrapesPerSecond} `/metrics` scrapes/s", r.After, r.Storm, a => Values(a, "saturated", x => x.DeliveriesPerSecond), v => N(v));
        return _md.ToString();
    }

    private ScenarioResult? Find(int round, string arm, string scenario) =>
        Results.Fanout.FirstOrDefault(f => f.Round == round && f.Result.System == arm && f.Result.Scenario == scenario).Result;

    private List<double> Values(string arm, string scenario, Func<ScenarioResult, double> value) =>
        [.. Results.Fanout.Where(f => f.Result.System == arm && f.Result.Scenario == scenario).OrderBy(f => f.Round).Select(f => value(f.Result))];

    private void Compare(string measure, string a, string b, Func<string, List<double>> values, Func<double, string> format)
    {
        var (x, y) = (values(a), values(b));
        if (x.Count == 0 || y.Count == 0)
        {
            return;
        }

        var ratios = x.Zip(y, (p, q) => q / p).ToList();
        Line($"| {measure} | {format(Median(x))} | {format(Median(y))} | {Median(y) / Median(x):F3} ({ratios.Min():F3}–{ratios.Max():F3}) |");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string N(double? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "–";

    private static string Us(double? value) => value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) + " µs" : "–";

    private static string Ms(long? micros) => micros is { } m ? (m / 1000.0).ToString("F1", CultureInfo.InvariantCulture) + " ms" : "–";

    private void Line(string text = "") => _md.Append(text).Append('\n');
}

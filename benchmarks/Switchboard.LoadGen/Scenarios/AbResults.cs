using System.Globalization;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// A figure an A/B run compares. <paramref name="Gated"/>: issue 46's bound applies (after's median at least
/// <see cref="AbResults.Bound"/> × before's), for the throughputs; the costs and latencies are shown beside them.
/// </summary>
internal sealed record AbMetric(string Name, string Column, bool Gated, Func<double, string> Format)
{
    public static readonly AbMetric SaturatedDeliveries = new("saturated deliveries/s", "saturated deliveries/s", true, N);
    public static readonly AbMetric CpuPerDelivery = new("server CPU per saturated delivery", "CPU/delivery", false, Us);
    public static readonly AbMetric SlowP99 = new("p99 POST → last subscriber at 1 msg/s", "p99 at 1 msg/s", false, Ms);
    public static readonly AbMetric IngestRate = new("`/api/batch` ingest updates/s", "ingest updates/s", true, N);
    public static readonly AbMetric CpuPerUpdate = new("server CPU per ingested update", "CPU/update", false, Us);
    public static readonly AbMetric OtlpRate = new("OTLP spans/s with 1,000 subscribers", "OTLP spans/s", true, N);
    public static readonly AbMetric CpuPerSpan = new("server CPU per span", "CPU/span", false, Us);
    public static readonly AbMetric CpuPerHook = new("server CPU per hook at an everyday rate", "CPU/hook", false, Us);
    public static readonly AbMetric HookP99 = new("hook round trip p99 at an everyday rate", "hook p99", false, Ms);
    public static readonly AbMetric HookDeliveryP99 = new("hook's event to every dashboard, p99", "delivery p99", false, Ms);

    /// <summary>In the report's order.</summary>
    public static readonly IReadOnlyList<AbMetric> Compared =
        [SaturatedDeliveries, CpuPerDelivery, SlowP99, IngestRate, CpuPerUpdate, OtlpRate, CpuPerSpan, CpuPerHook, HookP99, HookDeliveryP99];

    public static string N(double value) => double.IsNaN(value) ? "–" : value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Us(double value) => double.IsNaN(value) ? "–" : value.ToString("F2", CultureInfo.InvariantCulture) + " µs";

    public static string Ms(double value) => double.IsNaN(value) ? "–" : value.ToString("F1", CultureInfo.InvariantCulture) + " ms";
}

/// <summary>One figure of one arm (a build, or the scraped current build) in one round, on one store.</summary>
internal sealed record AbSample(int Round, AbStore Store, string Arm, AbMetric Metric, double Value, bool Complete);

/// <summary>Every round's figures of an A/B run, and what the report needs to say how they were taken.</summary>
internal sealed record AbResults(
    string Before,
    string After,
    string Storm,
    IReadOnlyList<AbSample> Samples,
    IReadOnlyList<string> RoundLoads,
    string? PostgresVersion)
{
    /// <summary>Issue 46: ingest, OTLP spans/s and saturated deliveries at ≥ 0.95× the median of before, on each store.</summary>
    public const double Bound = 0.95;

    public bool Complete => Samples.All(s => s.Complete);

    public IEnumerable<AbStore> Stores => Samples.Select(s => s.Store).Distinct().Order();

    /// <summary>The values of one arm's metric on one store, in round order.</summary>
    public List<(int Round, double Value)> Values(AbStore store, string arm, AbMetric metric) =>
        [.. Samples.Where(s => s.Store == store && s.Arm == arm && s.Metric == metric).OrderBy(s => s.Round).Select(s => (s.Round, s.Value))];

    /// <summary>
    /// Medians of arm <paramref name="a"/> and <paramref name="b"/>, and the spread of b ÷ a over the rounds that have
    /// both; null when either arm has no figure.
    /// </summary>
    public AbComparison? Compare(AbStore store, AbMetric metric, string a, string b)
    {
        var (x, y) = (Values(store, a, metric), Values(store, b, metric));
        if (x.Count == 0 || y.Count == 0)
        {
            return null;
        }

        var ratios = x.Join(y, p => p.Round, q => q.Round, (p, q) => q.Value / p.Value).ToList();
        return new AbComparison(store, metric, Median(x.Select(v => v.Value)), Median(y.Select(v => v.Value)),
            ratios.Count > 0 ? ratios.Min() : double.NaN, ratios.Count > 0 ? ratios.Max() : double.NaN);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>Two arms' medians of one metric on one store, and the spread of their ratio across rounds.</summary>
internal sealed record AbComparison(AbStore Store, AbMetric Metric, double First, double Second, double LowestRatio, double HighestRatio)
{
    public double Ratio => Second / First;

    /// <summary>Issue 46's bound, for the throughputs it gates: the second median at least <see cref="AbResults.Bound"/> × the first.</summary>
    public bool? Passed => Metric.Gated ? Ratio >= AbResults.Bound : null;
}

using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Scenarios;

namespace Switchboard.LoadGen.Report;

/// <summary>Writes Switchboard against the one-file peer (<c>--peer</c>) into its own generated section of <c>docs/benchmarks.md</c>.</summary>
internal sealed class PeerReport : SectionReport<PeerResults>
{
    public const string Begin = "<!-- BEGIN GENERATED PEER: written by benchmarks/Switchboard.LoadGen --peer; do not edit by hand -->";
    public const string End = "<!-- END GENERATED PEER -->";

    private readonly StringBuilder _md = new();

    public void WriteInto(string path) => GeneratedSection.WriteInto(path, Begin, End, Render());

    public string Render()
    {
        var r = Results;
        var w = r.Workload;
        _md.Clear();
        Line("### Against the one-file peer: latest run");
        Line();
        Line(Head());
        Line($"- **Load average** (1/5/15 min) before: {LoadBefore}; after: {LoadAfter}. The load generator shares the two cores with the server.");
        Line($"- **Workload:** the hook run's, on each server in turn: {N(w.Agents)} Claude Code sessions, {N(w.HooksPerSecond)} hooks a second to " +
             $"`POST /hooks/claude-code` on an open-loop schedule, {N(w.Dashboards)} Phoenix sockets watching; a fresh server and data directory each " +
             $"time, {r.Switchboard.Count} round{(r.Switchboard.Count == 1 ? "" : "s")} with the order alternating, {r.Switchboard[0].Seconds:F0} s measured after the warm-up. Medians of the rounds.");
        Line();
        Line($"| {N(w.Agents)} agents, {N(w.HooksPerSecond)} hooks/s, {N(w.Dashboards)} dashboards | peer (Bun + SQLite) | Switchboard | Switchboard / peer |");
        Line("|---|---:|---:|---:|");
        Row("hook round trip p50", h => h.Latencies.Percentile(0.5) / 1000.0, "F2", " ms");
        Row("hook round trip p99", h => h.Latencies.Percentile(0.99) / 1000.0, "F2", " ms");
        Row("delivery to dashboards p50", h => h.Deliveries.Percentile(0.5) / 1000.0, "F2", " ms");
        Row("delivery to dashboards p99", h => h.Deliveries.Percentile(0.99) / 1000.0, "F2", " ms");
        Row("**server CPU per hook**", h => h.CpuMicrosPerHook, "F0", " µs");
        Row("server RSS 2 s after start", h => h.RssAtStart / 1048576.0, "F0", " MB");
        Row("server RSS after the run", h => h.RssAfter / 1048576.0, "F0", " MB");
        Row("bytes per dashboard message", h => h.BytesPerMessage, "F0", "");
        Line($"| every hook answered, on the log and on every dashboard, in every round | {Complete(r.Peer)} | {Complete(r.Switchboard)} | |");
        Line();
        var cpu = Ratio(h => h.CpuMicrosPerHook);
        Line($"Issue 59 asks for half the peer's CPU per hook: Switchboard spends {cpu:F2}× the peer's " +
             $"({(cpu <= 0.5 ? "met" : "**missed**")}; rounds from {Lowest(h => h.CpuMicrosPerHook):F2}× to {Highest(h => h.CpuMicrosPerHook):F2}×).");
        return _md.ToString();
    }

    private void Row(string what, Func<HookResults, double> metric, string format, string unit)
    {
        var peer = PeerResults.Median(Results.Peer, metric);
        var switchboard = PeerResults.Median(Results.Switchboard, metric);
        Line($"| {what} | {peer.ToString(format, CultureInfo.InvariantCulture)}{unit} | {switchboard.ToString(format, CultureInfo.InvariantCulture)}{unit} | " +
             $"{switchboard / peer:F2}× |");
    }

    private double Ratio(Func<HookResults, double> metric) =>
        PeerResults.Median(Results.Switchboard, metric) / PeerResults.Median(Results.Peer, metric);

    /// <summary>Round by round, Switchboard's figure over the peer's in the same round.</summary>
    private IEnumerable<double> RoundRatios(Func<HookResults, double> metric) =>
        Results.Switchboard.Zip(Results.Peer, (s, p) => metric(s) / metric(p));

    private double Lowest(Func<HookResults, double> metric) => RoundRatios(metric).Min();

    private double Highest(Func<HookResults, double> metric) => RoundRatios(metric).Max();

    private static string Complete(IReadOnlyList<HookResults> runs) =>
        runs.All(h => h.Complete) ? "yes" : $"**no**: {string.Join("; ", runs.Select(h => $"{h.Failed} failed, {h.FewestDelivered:N0}–{h.MostDelivered:N0} of {h.EventsAppended:N0} delivered"))}";

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private void Line(string text = "") => _md.Append(text).Append('\n');
}

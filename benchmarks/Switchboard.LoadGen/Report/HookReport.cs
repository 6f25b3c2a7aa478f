using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Scenarios;

namespace Switchboard.LoadGen.Report;

/// <summary>Writes the hook round-trip benchmark (<c>--hooks</c>) into its own generated section of <c>docs/benchmarks.md</c>.</summary>
internal sealed class HookReport : SectionReport<HookResults>
{
    public const string Begin = "<!-- BEGIN GENERATED HOOKS: written by benchmarks/Switchboard.LoadGen --hooks; do not edit by hand -->";
    public const string End = "<!-- END GENERATED HOOKS -->";

    private readonly StringBuilder _md = new();

    public void WriteInto(string path) => GeneratedSection.WriteInto(path, Begin, End, Render());

    public string Render()
    {
        var r = Results;
        var p99 = r.Latencies.Percentile(0.99) / 1000.0;
        _md.Clear();
        Line("### Hook round trips: latest run");
        Line();
        Line(Head());
        var w = r.Workload;
        Line($"- **Load average** (1/5/15 min) before: {LoadBefore}; at the end of the window: {r.LoadAverage}; after: {LoadAfter}. The load generator, " +
             $"its {N(w.Agents)} agents and {N(w.Dashboards)} dashboards share the two cores with the server.");
        Line($"- **Workload:** {N(w.Agents)} Claude Code sessions, {N(w.HooksPerSecond)} hooks a second between them (each tool call a `PreToolUse`, then its " +
             $"`PostToolUse` half a period later) to `POST /hooks/claude-code`, on an open-loop schedule (a round trip is timed from when the hook was due); " +
             $"{N(w.Dashboards)} Phoenix sockets on `sessions` (a delivery is timed from the hook's send to each dashboard); SQLite; warmed up until tiered compilation settled, {r.Seconds:F0} s measured.");
        Line();
        Line("| target | measured | |");
        Line("|---|---|---|");
        Line($"| hook round trip with nothing pending, p99 ≤ 10 ms | p99 {p99:F1} ms (p50 {r.Latencies.Percentile(0.5) / 1000.0:F1}, " +
             $"p90 {r.Latencies.Percentile(0.9) / 1000.0:F1}, max {r.Latencies.Max / 1000.0:F1} ms) | " +
             $"{(w != HookLoad.Issue45 ? "not judged: the target is for issue 45's load" : p99 <= 10 ? "met" : "**missed**")} |");
        Line($"| every hook's state change on the log, and on every dashboard | {N(r.Answered)} hooks answered ({N(r.HooksPerSecond)}/s), {r.Failed} failed, " +
             $"{N(r.EventsAppended)} events appended, " +
             $"{(w.Dashboards == 0 ? "no dashboard watching" : $"each dashboard got {N(r.FewestDelivered)}–{N(r.MostDelivered)}")} | {(r.Complete ? "met" : "**missed**")} |");
        if (w.Dashboards > 0)
        {
            Line($"| delivery to every dashboard | p99 {r.Deliveries.Percentile(0.99) / 1000.0:F1} ms (p50 {r.Deliveries.Percentile(0.5) / 1000.0:F1}, max {r.Deliveries.Max / 1000.0:F1} ms) | |");
        }
        Line();
        Line($"CPU per hook: {r.CpuMicrosPerHook:F1} µs in the server, {r.LoadGenMicrosPerHook:F1} µs in the load generator (its agents and dashboards); " +
             $"at the {N(w.HooksPerSecond)} hooks a second asked, {w.HooksPerSecond * (r.CpuMicrosPerHook + r.LoadGenMicrosPerHook) / 1e6:F2} of the {Machine.Cores} cores. " +
             $"Server RSS after the window: {r.RssAfter / 1048576.0:F0} MB.");
        return _md.ToString();
    }

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private void Line(string text = "") => _md.Append(text).Append('\n');
}

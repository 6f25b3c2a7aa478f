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
        Line($"- **Command:** `dotnet run -c Release --project benchmarks/Switchboard.LoadGen -- {Options.CommandLine}` (took {Elapsed.TotalMinutes:F1} min)");
        Line($"- **Date:** {Started:yyyy-MM-dd HH:mm} UTC, commit `{Machine.Commit}`");
        Line($"- **Machine:** {Machine.Cores} cores ({Machine.Cpu}), {Machine.MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB RAM, {Machine.Os}, Linux {Machine.Kernel}, {Machine.Runtime}");
        Line($"- **Load average** (1/5/15 min) before: {LoadBefore}; at the end of the window: {r.Load}; after: {LoadAfter}. The load generator, " +
             "its 1,000 agents and 100 dashboards share the two cores with the server.");
        Line($"- **Workload:** {HookRun.Agents:N0} Claude Code sessions, each {HookRun.ToolCallsPerSecond} tool calls a second (`PreToolUse`, then " +
             $"`PostToolUse` half a period later) to `POST /hooks/claude-code`, on an open-loop schedule (a round trip is timed from when the hook was due); " +
             $"{HookRun.Dashboards} Phoenix sockets on `sessions`; SQLite; 10 s warm-up, {r.Seconds:F0} s measured.");
        Line();
        Line("| target | measured | |");
        Line("|---|---|---|");
        Line($"| hook round trip with nothing pending, p99 ≤ 10 ms | p99 {p99:F1} ms (p50 {r.Latencies.Percentile(0.5) / 1000.0:F1}, " +
             $"p90 {r.Latencies.Percentile(0.9) / 1000.0:F1}, max {r.Latencies.Max / 1000.0:F1} ms) | {(p99 <= 10 ? "met" : "**missed**")} |");
        Line($"| every hook's state change on the log, and on every dashboard | {N(r.Answered)} hooks answered ({N(r.HooksPerSecond)}/s), {r.Failed} failed, " +
             $"{N(r.EventsAppended)} events appended, each dashboard got {N(r.FewestDelivered)}–{N(r.MostDelivered)} | {(r.Complete ? "met" : "**missed**")} |");
        Line();
        Line($"Server CPU per hook: {r.CpuMicrosPerHook:F1} µs.");
        return _md.ToString();
    }

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private void Line(string text = "") => _md.Append(text).Append('\n');
}

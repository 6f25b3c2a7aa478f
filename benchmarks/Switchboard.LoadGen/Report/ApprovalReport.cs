using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Scenarios;

namespace Switchboard.LoadGen.Report;

/// <summary>Writes the approvals benchmark (<c>--approvals</c>) into its own generated section of <c>docs/benchmarks.md</c>.</summary>
internal sealed class ApprovalReport : SectionReport<ApprovalResults>
{
    public const string Begin = "<!-- BEGIN GENERATED APPROVALS: written by benchmarks/Switchboard.LoadGen --approvals; do not edit by hand -->";
    public const string End = "<!-- END GENERATED APPROVALS -->";

    private readonly StringBuilder _md = new();

    public void WriteInto(string path) => GeneratedSection.WriteInto(path, Begin, End, Render());

    public string Render()
    {
        var (cross, held) = (Results.CrossNode, Results.Held);
        var p99 = cross.Latencies.Percentile(0.99) / 1000.0;
        var (before, during) = (held.WritesBefore.Percentile(0.99) / 1000.0, held.WritesDuring.Percentile(0.99) / 1000.0);
        _md.Clear();
        Line("### Approvals: latest run");
        Line();
        Line(Head());
        Line($"- **Load average** (1/5/15 min) before: {LoadBefore}; after: {LoadAfter}. The load generator shares the two cores with the servers " +
             "(and, across nodes, with PostgreSQL).");
        Line($"- **Across nodes:** two nodes on one PostgreSQL; {ApprovalRun.CrossNodeAgents} Claude Code sessions each ask {ApprovalRun.CrossNodeRounds} times, " +
             $"{ApprovalRun.CrossNodePause.TotalMilliseconds:F0} ms after the previous answer ({cross.PerSecond:N0} approvals a second in all; `PermissionRequest` held on node A); " +
             "the operator reads the pending approval on node B and answers it there (allow and deny in turn). " +
             "Timed from sending the answer to node B until the held hook's answer reached the agent.");
        Line($"- **Held:** {N(ApprovalRun.HeldHooks)} `PermissionRequest` hooks held at once on one node (SQLite), each its own session and connection; " +
             $"memory is the server's RSS after a full GC, before and while they are held; a writer `PATCH`es another session {ApprovalRun.WritesPerSecond} times a second " +
             "(open loop, timed from when each was due) for 10 s before and 10 s while they are held, that window starting once the node is quiet " +
             "after raising them (its CPU under a tenth of a core over half a second).");
        Line();
        Line("| target | measured | |");
        Line("|---|---|---|");
        Line($"| approval answered on one node → held hook answered on another, p99 ≤ 100 ms | p99 {p99:F1} ms (p50 {cross.Latencies.Percentile(0.5) / 1000.0:F1}, " +
             $"max {cross.Latencies.Max / 1000.0:F1} ms); {N(cross.Answered)} answered as decided, {cross.Wrong} not | {(p99 <= 100 && cross.Complete ? "met" : "**missed**")} |");
        Line($"| {N(held.Asked)} held hook requests on one node: memory per held request | {held.BytesPerHeld / 1024.0:F1} KiB " +
             $"(RSS {held.RssBefore / 1048576.0:F0} → {held.RssHeld / 1048576.0:F0} MiB; {N(held.Pending)} pending, {N(held.StillHeld)} still held when measured, " +
             $"{N(held.Released)} released by their answers) | {(held.Complete ? "measured" : "**incomplete**")} |");
        Line($"| the other writes' p99 unchanged while they are held | `PATCH` p99 {before:F1} ms before, {during:F1} ms while held " +
             $"(p50 {held.WritesBefore.Percentile(0.5) / 1000.0:F1} and {held.WritesDuring.Percentile(0.5) / 1000.0:F1} ms) | " +
             $"{(during <= Math.Max(before * 1.5, before + 2) ? "met" : "**missed**")} |");
        return _md.ToString();
    }

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private void Line(string text = "") => _md.Append(text).Append('\n');
}

using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Scenarios;

namespace Switchboard.LoadGen.Report;

/// <summary>Writes the agent-tree benchmark (<c>--trees</c>) into its own generated section of <c>docs/benchmarks.md</c>.</summary>
internal sealed class TreeReport : SectionReport<TreeResults>
{
    public const string Begin = "<!-- BEGIN GENERATED TREES: written by benchmarks/Switchboard.LoadGen --trees; do not edit by hand -->";
    public const string End = "<!-- END GENERATED TREES -->";

    private readonly StringBuilder _md = new();

    public void WriteInto(string path) => GeneratedSection.WriteInto(path, Begin, End, Render());

    public string Render()
    {
        _md.Clear();
        Line("### Agent trees: latest run");
        Line();
        Line(Head());
        Line($"- **Load average** (1/5/15 min) before: {LoadBefore}; after: {LoadAfter}. The machine is shared: anything above ~0.5 means other work ran on the same cores, which moves updates/s far more than CPU per update.");
        Line();
        Line($"**A usage update at depth 1 vs depth 16** (SQLite; 200 leaves under 10 branches; each run on a fresh server for {Options.IngestDuration.TotalSeconds:F0} s after a 2 s warm-up; " +
             "single `POST /api/sessions/{id}/usage` from 16 clients, the depths alternating over rounds; then `/api/batch` with 100 usage updates per request from 4 clients):");
        Line();
        Line("| depth | load | round | updates | updates/s | server CPU/update |");
        Line("|---:|---|---:|---:|---:|---:|");
        foreach (var r in Results.Depth)
        {
            Line($"| {r.Depth} | {(r.Batch ? "batch of 100" : "single requests")} | {r.Round + 1} | {N(r.Persisted)} | {N(r.PerSecond)} | {r.CpuMicrosPerUpdate:F1} µs |");
        }

        foreach (var batch in new[] { false, true })
        {
            var d1 = Results.Depth.Where(r => r.Depth == 1 && r.Batch == batch).ToList();
            var d16 = Results.Depth.Where(r => r.Depth == 16 && r.Batch == batch).ToList();
            if (d1.Count == 0 || d16.Count == 0)
            {
                continue;
            }

            var cpu = Median(d16.Select(r => r.CpuMicrosPerUpdate)) / Median(d1.Select(r => r.CpuMicrosPerUpdate));
            var rate = Median(d16.Select(r => r.PerSecond)) / Median(d1.Select(r => r.PerSecond));
            Line();
            Line($"{(batch ? "Batches" : "Single requests")}, depth 16 vs depth 1 (medians): **{cpu:F2}×** the server CPU per update " +
                 $"(target ≤ 1.5×: {(cpu <= 1.5 ? "met" : "missed")}), **{rate * 100:F0}%** of the updates/s.");
        }

        var j = Results.Join;
        Line();
        Line($"**`session:{{parent}}` joined with `{{\"subtree\": true}}`, a parent with 10,000 children**: {j.Idle.Joins} joins one after another on one " +
             $"WebSocket (each left again), timed at the client from `phx_join` to its reply, which carries the parent and the first page of " +
             $"{j.Idle.Descendants} descendants ({j.Idle.ReplyBytes / 1024.0:F0} KiB); idle, then while 4 clients add usage to the children:");
        Line();
        Line("| server | p50 | p95 | p99 | max | target p99 < 200 ms |");
        Line("|---|---:|---:|---:|---:|---|");
        foreach (var (name, s) in new[] { ("idle", j.Idle), ("under writes", j.UnderWrites) })
        {
            Line($"| {name} | {s.P50Ms:F1} ms | {s.P95Ms:F1} ms | {s.P99Ms:F1} ms | {s.MaxMs:F1} ms | {(s.P99Ms < 200 ? "met" : "missed")} |");
        }

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

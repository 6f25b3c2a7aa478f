using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Scenarios;

namespace Switchboard.LoadGen.Report;

/// <summary>
/// The scale-out run's section of <c>docs/benchmarks.md</c>, between its own markers, so the single-node run and the
/// scale-out run each regenerate only their part.
/// </summary>
internal sealed class ScaleOutReport(ScaleOutResult result, MachineInfo machine, BenchOptions options, DateTimeOffset finished, string loadBefore, string loadAfter)
{
    public const string Begin = "<!-- BEGIN GENERATED SCALE-OUT: written by benchmarks/Switchboard.LoadGen --scale-out; do not edit by hand -->";
    public const string End = "<!-- END GENERATED SCALE-OUT -->";

    public void WriteInto(string path) => GeneratedSection.WriteInto(path, Begin, End, Render());

    private string Render()
    {
        var text = new StringBuilder();
        void Line(string s = "") => text.Append(s).Append('\n');
        static string Ms(long micros) => (micros / 1000.0).ToString("F1", CultureInfo.InvariantCulture) + " ms";

        Line("## Latest scale-out run");
        Line();
        Line($"- **Command:** `dotnet run -c Release --project benchmarks/Switchboard.LoadGen -- {options.CommandLine}`");
        Line($"- **Date:** {finished:yyyy-MM-dd HH:mm} UTC, commit `{machine.Commit}`");
        Line($"- **Machine:** {machine.Cores} cores ({machine.Cpu}), {machine.MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB RAM, {machine.Os}, {machine.Runtime}");
        Line($"- **Load average** before: {loadBefore}; after: {loadAfter}");
        Line($"- **Setup:** {result.Nodes} Switchboard nodes on one PostgreSQL, {result.Subscribers:N0} subscribers on `sessions` spread evenly over them " +
            $"by {result.Processes} subscriber {(result.Processes == 1 ? "process" : "processes")}, every event published through node 1 only.");
        Line();
        Line("| rate | events | delivered / expected | in order | delivery p50 / p99 | last subscriber p50 / p99 / max | CPU per node | peak RSS per node |");
        Line("|---:|---:|---:|:---:|---:|---:|---:|---:|");
        foreach (var p in result.Phases)
        {
            var complete = p.Complete ? "" : $" ⚠ dup {p.Duplicates}, strays {p.Strays}, closes {p.UnexpectedCloses}, publish errors {p.PublishErrors}";
            Line($"| {p.Rate} msg/s | {p.Events:N0} | {p.Delivered:N0} / {p.Expected:N0} ({100.0 * p.Delivered / Math.Max(1, p.Expected):F1} %){complete} | " +
                $"{(p.Misplaced == 0 ? "yes" : $"**no** ({p.Misplaced:N0})")} | {Ms(p.Delivery.Percentile(0.5))} / {Ms(p.Delivery.Percentile(0.99))} | " +
                $"{Ms(p.LastSubscriber.Percentile(0.5))} / {Ms(p.LastSubscriber.Percentile(0.99))} / {Ms(p.LastSubscriber.Max)} | " +
                string.Join(", ", p.NodeCpuSeconds.Select(c => c.ToString("F1", CultureInfo.InvariantCulture) + " s")) + " | " +
                string.Join(", ", p.NodePeakRss.Select(r => (r / 1048576.0).ToString("F0", CultureInfo.InvariantCulture) + " MiB")) + " |");
        }

        Line();
        Line($"**Writes through one node** (4 clients, `/api/batch` of 100 metadata updates, 5 s, every node following the log, no subscribers): " +
            $"{result.Writes.PerSecond:N0} updates/s acknowledged, {result.Writes.CpuMicrosPerUpdate:F1} µs of that node's CPU per update.");
        Line();
        Line("CPU per node is user + system time over the phase (publishing and draining); node 1 also takes every publish.");
        Line("Delivery latency is from the POST to each receipt, across all nodes; the last subscriber's is per event, to the");
        Line("last of all subscribers on every node. \"In order\": every connection's `seq`s only increased.");
        Line();
        return text.ToString();
    }
}

using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Soak;

namespace Switchboard.LoadGen.Report;

/// <summary>
/// Writes the soak (<c>--soak MINUTES</c>) into its own generated section of <c>docs/benchmarks.md</c>, and its chart
/// next to it (<c>docs/soak.svg</c>).
/// </summary>
internal sealed class SoakReport : SectionReport<SoakResult>
{
    public const string Begin = "<!-- BEGIN GENERATED SOAK: written by benchmarks/Switchboard.LoadGen --soak; do not edit by hand -->";
    public const string End = "<!-- END GENERATED SOAK -->";
    public const string ChartName = "soak.svg";

    private readonly StringBuilder _md = new();

    /// <summary>Replaces the soak section of <paramref name="path"/> and writes the chart beside it.</summary>
    public void WriteInto(string path)
    {
        GeneratedSection.WriteInto(path, Begin, End, Render());
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, ChartName), SoakChart.Render(Results));
    }

    public string Render()
    {
        var r = Results;
        _md.Clear();
        Line("### Soak: latest run");
        Line();
        Line(Head());
        Line($"- **Load average** (1/5/15 min) before: {LoadBefore}; after: {LoadAfter}; during (every 10 min below). The machine is shared: " +
             "memory, files and threads are hardly affected by other work, latency would be.");
        Line();
        Line("**Load**, all at once for the whole run: 300 active sessions updated about 100 times a second (state, metadata, usage, " +
             "heartbeats), two created and two ended every second, one in ten ending in an error first, one abandoned every five seconds " +
             "(its 30 s lease expires, the stalled rule fires, it is ended a minute later); 2,000 WebSocket subscribers on `sessions`, " +
             "`summary`, `session:{id}` (with a presence viewer), `alerts` and `usage`, ten leaving and ten new ones joining every second; " +
             "a long-poll client every 2 s that joins, polls once and vanishes; an SSE client every 10 s that never reads (cut off at its " +
             "queue cap) and one that reads for 15 s and hangs up; 7 alert rules; a webhook receiving every event; retention keeping " +
             "5 minutes of events, purging every 30 s; two control subscribers on `sessions` and `alerts` for the whole run.");
        Line();
        Line($"**Sampled every 10 s** after a full blocking GC induced through the diagnostics port: RSS, managed heap, open files, threads, " +
             $"bytes in send queues, the live loop's and the alert evaluator's inbox depths. Chart: [{ChartName}]({ChartName}).");
        Line();
        Line($"![Soak: RSS and heap after GC, open files and threads over time]({ChartName})");
        Line();
        var judged = r.Judged ? "" : " (run too short to judge: the targets need 10 minutes after the 10-minute warm-up)";
        Line($"**Targets after the first {SoakResult.WarmUpMinutes:F0} minutes**{judged}:");
        Line();
        Line("| target | measured | |");
        Line("|---|---|---|");
        Line($"| RSS after GC grows ≤ 1 MB per hour | {r.RssSlopeMbPerHour:+0.00;-0.00} MB/h (least squares; of it anonymous {r.RssAnonSlopeMbPerHour:+0.00;-0.00} MB/h; heap after GC {r.HeapSlopeMbPerHour:+0.00;-0.00} MB/h) | {Verdict(r.RssMet)} |");
        Line($"| no growth in open files | {Range(r, s => s.OpenFiles)}; of them not a connection's socket {Range(r, s => s.OpenFiles - s.Connections)}, whose median of the last 10 min less that of the first 10 after warm-up: {r.FileGrowth:+0.#;-0.#;0} (all files, highest less highest: {r.FilePeakGrowth:+0;-0;0}) | {Verdict(r.FilesMet)} |");
        Line($"| no growth in threads | {Range(r, s => s.Threads)}; likewise: {r.ThreadGrowth:+0.#;-0.#;0} (highest less highest: {r.ThreadPeakGrowth:+0;-0;0}; of them the runtime pool's workers {Range(r, s => s.PoolWorkers)}; " +
             $"the other threads {Range(r, s => s.Threads - s.PoolWorkers)}, likewise {r.OtherThreadGrowth:+0.#;-0.#;0}) | {Verdict(r.ThreadsMet)} |");
        var controls = string.Join("; ", r.Controls.Select((c, i) =>
            $"control {i + 1}: {N(c.Received)} received, {N(c.Missing)} missing{(c.FirstMissing.Count > 0 ? " (first " + string.Join(", ", c.FirstMissing) + ")" : "")}, " +
            $"{N(c.Duplicates)} duplicates{(c.ClosedEarly is null ? "" : ", " + c.ClosedEarly)}"));
        Line($"| every committed event delivered to the control subscribers, exactly once | log head {N(r.Head)}; {controls} | {Verdict(r.DeliveryMet)} |");
        Line();
        var types = string.Join(", ", r.EventTypes.OrderByDescending(t => t.Value).Select(t => $"{t.Key} {N(t.Value)}"));
        Line($"**Counts:** {N(r.WritesAcknowledged)} writes acknowledged ({N(r.WritesConflicting)} answered 409 because the churn had just ended their session, " +
             $"{N(r.Failures)} failures); {N(r.SessionsCreated)} sessions created, {N(r.SessionsTerminated)} ended; events by type: {types}; " +
             $"{N(r.WebhookDeliveries)} webhook deliveries; {N(r.LongPollsAbandoned)} long-poll clients abandoned; {N(r.SseStalled)} SSE clients stopped reading " +
             $"({N(r.Samples.Count > 0 ? r.Samples[^1].SlowConsumerDisconnects : 0)} connections cut off at their queue cap); {N(r.SseReaders)} SSE clients hung up; " +
             $"{r.SubscribersClosedByServer} WebSocket subscribers closed by the server.");
        Line();
        Line("Every 10 minutes:");
        Line();
        Line("| min | RSS after GC | heap after GC | files | threads | connections | queued | live inbox | alerts inbox | events appended | load |");
        Line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var s in r.Samples.Where((s, i) => i == 0 || i == r.Samples.Count - 1 || (int)(s.Minutes / 10) != (int)(r.Samples[i - 1].Minutes / 10)))
        {
            Line($"| {s.Minutes:F0} | {s.RssAfterGc / 1048576.0:F1} MiB | {s.HeapAfterGc / 1048576.0:F1} MiB | {s.OpenFiles} | {s.Threads} | {N(s.Connections)} | " +
                 $"{s.SendQueueBytes / 1024.0:F0} KiB | {s.LiveInbox} | {s.AlertsInbox} | {N(s.EventsAppended)} | {s.Load} |");
        }

        return _md.ToString();
    }

    private static string Range(SoakResult r, Func<SoakSample, double> value) =>
        r.AfterWarmUp.Count == 0 ? "no samples" : $"{r.AfterWarmUp.Min(value):0}–{r.AfterWarmUp.Max(value):0}";

    private static string Verdict(bool met) => met ? "met" : "**missed**";

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private void Line(string text = "") => _md.Append(text).Append('\n');
}

using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Scenarios;

namespace Switchboard.LoadGen.Report;

/// <summary>
/// Writes the run into <c>docs/benchmarks.md</c> between two markers, so the tables are always the benchmark's own
/// output and the hand-written method and analysis around them survive each run.
/// </summary>
internal sealed class MarkdownReport : SectionReport<IReadOnlyList<ScenarioResult>>
{
    public const string Begin = "<!-- BEGIN GENERATED: written by benchmarks/Switchboard.LoadGen; do not edit by hand -->";
    public const string End = "<!-- END GENERATED -->";

    private const string Sb = "Switchboard";
    private const string Sr = "SignalR";
    private const string Fl = "Floor";

    private readonly StringBuilder _md = new();

    public IReadOnlyList<IngestResult> Ingest { get; init; } = [];

    public WebhookDelivery? Webhooks { get; init; }

    public MicroResult? Micro { get; init; }

    /// <summary>Replaces the generated section of <paramref name="path"/> (creating the file if needed).</summary>
    public void WriteInto(string path) => GeneratedSection.WriteInto(path, Begin, End, Render());

    public string Render()
    {
        _md.Clear();
        Line("## Latest run");
        Line();
        Line(Head());
        Line($"- **Load average** (1/5/15 min) before: {LoadBefore}; after: {LoadAfter}. Anything above ~0.5 means other work shared the cores and every figure is pessimistic.");
        Line($"- Servers, load generator and publishers share this machine; each system ran alone, one after the other, in the same run.");
        Line();
        Targets();
        FloorDistance();
        FanOut();
        Idle();
        IngestTable();
        MicroTable();
        return _md.ToString();
    }

    private void Targets()
    {
        Line("### Targets");
        Line();
        Line("| target | Switchboard | SignalR | ratio | met |");
        Line("|---|---:|---:|---:|:---:|");
        var sat = Pair("saturated");
        if (sat is var (s, r))
        {
            var cpu = s.CpuMicrosPerDelivery / r.CpuMicrosPerDelivery;
            Line($"| server CPU per delivery, {s.Connections:N0} subscribers saturated: ≤ 0.5× SignalR | {s.CpuMicrosPerDelivery:F2} µs | {r.CpuMicrosPerDelivery:F2} µs | {cpu:F2}× | {Mark(cpu <= 0.5)} |");
            var rate = s.DeliveriesPerSecond / r.DeliveriesPerSecond;
            Line($"| deliveries/s, {s.Connections:N0} subscribers saturated: ≥ 2× SignalR | {s.DeliveriesPerSecond:N0} | {r.DeliveriesPerSecond:N0} | {rate:F2}× | {Mark(rate >= 2)} |");
        }

        if (Pair("fixed 1 msg/s") is var (s1, r1))
        {
            var p = (double)s1.LastSubscriber!.P99 / r1.LastSubscriber!.P99;
            Line($"| p99 POST → last subscriber, {s1.Connections:N0} at 1 msg/s: ≤ 0.5× SignalR and ≤ 50 ms | {Ms(s1.LastSubscriber.P99)} | {Ms(r1.LastSubscriber.P99)} | {p:F2}× | {Mark(p <= 0.5 && s1.LastSubscriber.P99 <= 50_000)} |");
        }

        if (Result(Sb, "fixed 1 msg/s") is { } f1 && Result(Fl, "fixed 1 msg/s") is { } floor1)
        {
            var p = (double)f1.LastSubscriber!.P99 / floor1.LastSubscriber!.P99;
            Line($"| p99 POST → last subscriber, {f1.Connections:N0} at 1 msg/s: ≤ 1.5× the floor | {Ms(f1.LastSubscriber.P99)} | floor {Ms(floor1.LastSubscriber.P99)} | {p:F2}× | {Mark(p <= 1.5)} |");
        }

        if (Pair("fixed 50 msg/s") is var (s50, r50))
        {
            var p = (double)s50.LastSubscriber!.P99 / r50.LastSubscriber!.P99;
            Line($"| p99 POST → last subscriber, {s50.Connections:N0} at 50 msg/s: ≤ 0.5× SignalR | {Ms(s50.LastSubscriber.P99)} | {Ms(r50.LastSubscriber.P99)} | {p:F2}× | {Mark(p <= 0.5)} |");
        }

        if (Pair(Results.FirstOrDefault(x => x.Scenario.StartsWith("overload", StringComparison.Ordinal))?.Scenario ?? "overload") is var (so, ro))
        {
            var rate = so.DeliveriesPerSecond / ro.DeliveriesPerSecond;
            var met = so.Complete && so.UnexpectedCloses == 0 && so.LastSubscriber!.P99 <= 1_000_000 && rate >= 2;
            Line($"| overload, {so.Connections:N0} subscribers, open-loop publishers: 0 disconnected, all accepted delivered, p99 ≤ 1 s, deliveries/s ≥ 2× SignalR | " +
                 $"{so.UnexpectedCloses} disconnected, {so.PublishesRefused:N0} refused, p99 {Ms(so.LastSubscriber!.P99)}, {so.DeliveriesPerSecond:N0}/s | " +
                 $"{ro.UnexpectedCloses} disconnected, p99 {Ms(ro.LastSubscriber!.P99)}, {ro.DeliveriesPerSecond:N0}/s | {rate:F2}× | {Mark(met)} |");
        }

        if (Pair("idle") is var (si, ri) && si.IdleBytesPerConnection is { } sb && ri.IdleBytesPerConnection is { } rb)
        {
            Line($"| idle memory per connection: < 8 KB | {Kb(sb)} | {Kb(rb)} | {sb / rb:F2}× | {Mark(sb < 8_000)} |");
        }

        if (Ingest.FirstOrDefault(i => i.Name.StartsWith("/api/batch", StringComparison.Ordinal)) is { } batch)
        {
            Line($"| updates persisted/s through /api/batch on SQLite: ≥ 60,000 | {batch.PerSecond:N0} | n/a | | {Mark(batch.PerSecond >= 60_000)} |");
            if (Ingest.FirstOrDefault(i => i.Name.StartsWith("raw SQLite", StringComparison.Ordinal)) is { } ceiling)
            {
                var share = batch.PerSecond / ceiling.PerSecond;
                Line($"| /api/batch ingest: ≥ 60% of the raw SQLite loop's rate | {share:P0} ({batch.PerSecond:N0} of {ceiling.PerSecond:N0}/s) | n/a | | {Mark(share >= 0.6)} |");
            }

            var with = Ingest.Where(i => i.Name.Contains("with 20 alert rules", StringComparison.Ordinal)).ToList();
            var without = Ingest.Where(i => i.Name.Contains("without alert rules", StringComparison.Ordinal)).ToList();
            if (with.Count > 0 && without.Count > 0)
            {
                var (w, wo) = (with.Average(i => i.PerSecond), without.Average(i => i.PerSecond));
                Line($"| /api/batch with 20 alert rules and 2 webhooks: within 15% of without (A/B rounds) | {w:N0} vs {wo:N0} ({w / wo:P0}) | n/a | | {Mark(w / wo >= 0.85)} |");
            }
        }

        if (Webhooks is { } hooks)
        {
            Line($"| webhook delivery keeps up with 1,000 events/s to a local receiver | {hooks.PerSecond:N0}/s | n/a | | {Mark(hooks.PerSecond >= 1000 && hooks.Delivered == hooks.Expected)} |");
        }

        if (Micro is { } micro)
        {
            Line($"| allocations per broadcast flat in N (microbenchmark) | {micro.AllocationSummary} | n/a | | {Mark(micro.Flat)} |");
        }

        var incomplete = Results.Where(x => !x.Complete).ToList();
        Line($"| completeness 100% in every scenario (the floor: {Completeness(Fl)}) | {Completeness(Sb)} | {Completeness(Sr)} | | {Mark(incomplete.Count == 0)} |");
        Line();
    }

    /// <summary>Switchboard against the C floor (benchmarks/floor), scenario by scenario: how far from the unavoidable work.</summary>
    private void FloorDistance()
    {
        var rows = Results.Where(x => x.System == Fl && x.Scenario != "idle")
            .Select(f => (Floor: f, Sb: Result(Sb, f.Scenario)))
            .Where(p => p.Sb is not null)
            .ToList();
        if (rows.Count == 0)
        {
            return;
        }

        Line("### Distance to the floor");
        Line();
        Line("The floor is `benchmarks/floor/floor.c`: epoll with one loop per core, the WebSocket handshake, an ok reply to every");
        Line("Phoenix join and heartbeat, and for each publish one pre-encoded broadcast frame of the same size written to every");
        Line("subscriber (all frames waiting for a subscriber in one `writev`). It stores nothing and validates nothing: what is left");
        Line("is the kernel's and the protocol's share. Ratios are Switchboard / floor, so 1.00× is the floor itself.");
        Line();
        Line("| scenario | conns | server CPU per delivery: Switchboard / floor | deliveries/s: Switchboard / floor | last-subscriber p99: Switchboard / floor |");
        Line("|---|---:|---:|---:|---:|");
        foreach (var (floor, sb) in rows)
        {
            var s = sb!;
            Line($"| {floor.Scenario} | {floor.Connections:N0} | {s.CpuMicrosPerDelivery:F2} / {floor.CpuMicrosPerDelivery:F2} µs = {s.CpuMicrosPerDelivery / floor.CpuMicrosPerDelivery:F2}× | " +
                 $"{s.DeliveriesPerSecond:N0} / {floor.DeliveriesPerSecond:N0} = {s.DeliveriesPerSecond / floor.DeliveriesPerSecond:F2}× | " +
                 $"{Ms(s.LastSubscriber!.P99)} / {Ms(floor.LastSubscriber!.P99)} = {(double)s.LastSubscriber.P99 / floor.LastSubscriber.P99:F2}× |");
        }

        Line();
    }

    private void FanOut()
    {
        Line("### Fan-out scenarios");
        Line();
        Line("Latency is measured from just before the publishing HTTP request is sent to the read that delivered the event, on one");
        Line("monotonic clock in the load generator. *Delivery* percentiles are over every (event, subscriber) pair; *last subscriber*");
        Line("percentiles are over events, each taken at the moment its final subscriber received it. CPU is the server process's");
        Line("user + system time (from `/proc/<pid>/stat`) over the measured window (the saturated one excludes its warm-up), next to");
        Line("the load generator's own; on loopback the sender's CPU also pays for most of the receiver's TCP processing. Frames per write");
        Line("is event frames per socket write from Switchboard's `/metrics`. Peak RSS is `VmHWM`, reset before each scenario.");
        Line();
        Line("| scenario | system | conns | delivered / expected | deliveries/s | server CPU (per delivery) | load generator CPU | frames per write | delivery p50 / p99 / p99.9 | last subscriber p50 / p99 / max | peak RSS |");
        Line("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in Results.Where(x => x.Scenario != "idle"))
        {
            var d = r.Delivery!;
            var l = r.LastSubscriber!;
            var status = (r.Complete ? "" : $" ⚠ dup {r.Duplicates}, strays {r.Strays}, publish errors {r.PublishErrors}, closes {r.UnexpectedCloses}")
                + (r.PublishesRefused > 0 ? $"; {r.PublishesRefused:N0} publishes refused (503)" : "");
            var perWrite = r.FramesPerWrite is { } f ? f.ToString("F1", CultureInfo.InvariantCulture) : "n/a";
            Line($"| {r.Scenario} | {r.System} | {r.Connections:N0} | {r.Delivered:N0} / {r.Expected:N0} ({r.Completeness:P1}){status} | {r.DeliveriesPerSecond:N0} | {r.CpuSeconds:F2} s ({r.CpuMicrosPerDelivery:F2} µs) | {r.LoadGeneratorCpuSeconds:F2} s | {perWrite} | {Ms(d.P50)} / {Ms(d.P99)} / {Ms(d.P999)} | {Ms(l.P50)} / {Ms(l.P99)} / {Ms(l.Max)} | {Mib(r.PeakRssBytes)} |");
        }

        Line();
        var mixed = Results.Where(x => x.SessionTopicDelivery is not null).ToList();
        if (mixed.Count > 0)
        {
            Line("Mixed tick, per-session topic deliveries (the global-topic ones are in the table above):");
            Line();
            Line("| system | per-session deliveries | p50 / p99 / p99.9 |");
            Line("|---|---:|---:|");
            foreach (var r in mixed)
            {
                var t = r.SessionTopicDelivery!;
                Line($"| {r.System} | {t.Count:N0} | {Ms(t.P50)} / {Ms(t.P99)} / {Ms(t.P999)} |");
            }

            Line();
        }

        var summaries = Results.Where(x => x.Summaries > 0).ToList();
        if (summaries.Count > 0)
        {
            Line("Switchboard also pushes its derived `summary` to every `sessions` subscriber (at most one per 100 ms);");
            Line("SignalR has no equivalent. Those frames are server work included in Switchboard's CPU but not counted as deliveries: " +
                string.Join(", ", summaries.Select(x => $"{x.Scenario} {x.Summaries:N0}")) + ".");
            Line();
        }
    }

    private void Idle()
    {
        var idle = Results.Where(x => x.Scenario == "idle").ToList();
        if (idle.Count == 0)
        {
            return;
        }

        Line("### Idle connections");
        Line();
        Line("RSS with nothing connected, and with N subscribers connected and joined to the global topic, each measured 2 s after a");
        Line("full blocking GC induced in the server through its diagnostics port (an EventPipe session with the runtime's");
        Line("GCHeapCollect keyword, as `dotnet-gcdump` does; the same method for both servers). Per connection = (RSS(N) − RSS(0)) / N.");
        Line("Idle CPU is over 5 s with every client sending its protocol's keep-alive (Phoenix heartbeat every 30 s, SignalR ping every 15 s).");
        Line();
        Line("| system | connections | connect + join | RSS(0) | RSS(N) | per connection | idle CPU (5 s) |");
        Line("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in idle)
        {
            Line($"| {r.System} | {r.Connections:N0} | {r.ConnectSeconds:F1} s | {Mib(r.RssIdleBaseline!.Value)} | {Mib(r.RssIdleConnected!.Value)} | {Kb(r.IdleBytesPerConnection!.Value)} | {r.CpuSeconds:F2} s |");
        }

        Line();
    }

    private void IngestTable()
    {
        if (Ingest.Count == 0)
        {
            return;
        }

        Line("### Ingest (Switchboard on SQLite, no subscribers)");
        Line();
        Line("Each update changes one session (`tasks_running`), so it is validated, committed with its event and dispatched. Only");
        Line("acknowledged (2xx) updates count, and the log head must have moved by the same number. The raw SQLite loop is the");
        Line("ceiling: the same session update and event insert on the same database file, with nothing above SQLite (CPU is the");
        Line("load generator's own, where it runs).");
        Line();
        Line("| path | acknowledged | persisted (log head moved) | seconds | updates/s | CPU/update |");
        Line("|---|---:|---:|---:|---:|---:|");
        foreach (var i in Ingest)
        {
            Line($"| {i.Name} | {i.Acknowledged:N0} | {i.Persisted:N0} | {i.Seconds:F1} | {i.PerSecond:N0} | {i.CpuMicrosPerUpdate:F1} µs |");
        }

        Line();
        if (Webhooks is { } w)
        {
            Line("The alerts rows are A/B rounds: each starts a fresh server on an empty data directory, and they alternate (without,");
            Line("with, with, without, without, with), each warmed up until the runtime stops recompiling, so neither side runs on a");
            Line("bigger database, later in the run or less tiered-up; the target compares their means.");
            Line();
            Line($"Webhooks: the two endpoints received {w.Delivered:N0} of {w.Expected:N0} deliveries of the first alerts round in {w.Seconds:F1} s " +
                $"({w.PerSecond:N0} deliveries/s, {w.DuringIngest:N0} of them while the ingest ran), to a local HttpListener receiver.");
            Line();
        }
    }

    private void MicroTable()
    {
        if (Micro is not { } micro)
        {
            return;
        }

        Line("### Broadcast microbenchmark (BenchmarkDotNet)");
        Line();
        Line($"`{micro.Command}`: one event dispatched through the real `EventDispatcher` to N `sessions` subscribers, each with a real");
        Line("`SendQueue` that is drained the way a WebSocket connection drains it (frames coalesced into one buffer).");
        Line();
        Line(micro.Table.TrimEnd());
        Line();
    }

    private ScenarioResult? Result(string system, string scenario) => Results.FirstOrDefault(x => x.System == system && x.Scenario == scenario);

    private (ScenarioResult S, ScenarioResult R)? Pair(string scenario)
    {
        var s = Results.FirstOrDefault(x => x.System == Sb && x.Scenario == scenario);
        var r = Results.FirstOrDefault(x => x.System == Sr && x.Scenario == scenario);
        return s is not null && r is not null ? (s, r) : null;
    }

    private string Completeness(string system)
    {
        var mine = Results.Where(x => x.System == system && x.Scenario != "idle").ToList();
        return mine.Count == 0 ? "n/a" : $"{mine.Count(x => x.Complete)}/{mine.Count} scenarios";
    }

    private static string Mark(bool met) => met ? "yes" : "**no**";

    private static string Ms(long micros) => (micros / 1000.0).ToString(micros < 10_000 ? "F2" : "F1", CultureInfo.InvariantCulture) + " ms";

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " MiB";

    private static string Kb(double bytes) => (bytes / 1000.0).ToString("F1", CultureInfo.InvariantCulture) + " KB";

    private void Line(string text = "") => _md.Append(text).Append('\n');
}

/// <summary>The microbenchmark's table and whether allocations stayed flat in N.</summary>
internal sealed record MicroResult(string Command, string Table, bool Flat, string AllocationSummary);

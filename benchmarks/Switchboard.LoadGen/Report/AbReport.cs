using System.Text;
using Switchboard.LoadGen.Scenarios;
using static Switchboard.LoadGen.Scenarios.AbMetric;

namespace Switchboard.LoadGen.Report;

/// <summary>
/// Writes an A/B run (<c>--ab REF</c>) into its own generated section of <c>docs/benchmarks.md</c>: the targets, the
/// medians of before and after per store with the spread of their ratio across rounds (so a difference can be told
/// from noise), then every round of every arm.
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
        Line(Head($"- **Date:** {Started:yyyy-MM-dd HH:mm} UTC; after = commit `{Machine.Commit}`, {r.Before}"));
        Line($"- **Load average** (1/5/15 min) before: {LoadBefore}; after: {LoadAfter}; at the start of each round: " +
             string.Join("; ", r.RoundLoads.Select((l, i) => $"{i + 1}: {l}")) + ". The machine is shared: anything above ~0.5 means other " +
             "work ran on the same cores (the load generator itself, on the same two cores, is part of it).");
        Line($"- **Arms:** {string.Join(", ", Options.AbArms)}; {Options.AbRounds} round{(Options.AbRounds == 1 ? "" : "s")}, every measurement on a fresh server (on PostgreSQL a fresh " +
             "database too), before and after back to back, their order reversed every other round.");
        Workloads();
        Line();
        Targets();
        Line();
        Line("**Medians over rounds** (after ÷ before of the medians; in brackets the lowest and highest ratio of a round's neighbouring runs):");
        Line();
        Line($"| store | measure | before | after | after ÷ before | ≥ {AbResults.Bound:F2}× before |");
        Line("|---|---|---:|---:|---:|---|");
        foreach (var c in r.Stores.SelectMany(s => Compared.Select(m => r.Compare(s, m, r.Before, r.After))).OfType<AbComparison>())
        {
            Line($"| {StoreName(c.Store)} | {c.Metric.Name} | {c.Metric.Format(c.First)} | {c.Metric.Format(c.Second)} | {c.Ratio:F3} ({c.LowestRatio:F3}–{c.HighestRatio:F3}) | " +
                 $"{(c.Passed is { } passed ? (passed ? "met" : "**missed**") : "")} |");
        }

        var scraped = r.Stores.Select(s => r.Compare(s, SaturatedDeliveries, r.After, r.Storm)).OfType<AbComparison>().ToList();
        if (scraped.Count > 0)
        {
            Line();
            Line("| store | measure | after | after, scraped | scraped ÷ after |");
            Line("|---|---|---:|---:|---:|");
            foreach (var c in scraped)
            {
                Line($"| {StoreName(c.Store)} | saturated deliveries/s with {AbRun.ScrapesPerSecond} `/metrics` scrapes/s | {N(c.First)} | {N(c.Second)} | {c.Ratio:F3} ({c.LowestRatio:F3}–{c.HighestRatio:F3}) |");
            }
        }

        Line();
        Rounds();
        return _md.ToString();
    }

    private static string StoreName(AbStore store) => store == AbStore.Sqlite ? "SQLite" : "PostgreSQL";

    /// <summary>What each arm that ran did, so that the figures can be read without the code.</summary>
    private void Workloads()
    {
        var measures = Options.AbArms.Select(a => a.Measure).ToHashSet();
        if (measures.Contains(AbMeasure.Fixed))
        {
            Line($"- **1 msg/s:** {Options.Connections:N0} subscribers on `sessions`, one PATCH a second for {Options.SlowRateDuration.TotalSeconds:F0} s; p99 over events of the time from the POST to the last subscriber's receipt.");
        }

        if (measures.Contains(AbMeasure.Saturated) || measures.Contains(AbMeasure.Scrapes))
        {
            Line($"- **Saturated:** {Options.SaturatedConnections:N0} subscribers on `sessions`, {Options.Publishers} HTTP publishers keeping {Options.Window} events in flight, " +
                 $"warmed up until tiered compilation settled, {Options.SaturatedMeasure.TotalSeconds:F0} s measured" +
                 (measures.Contains(AbMeasure.Scrapes) ? $"; the scraped arm is the current build again with {AbRun.ScrapesPerSecond} `/metrics` scrapes/s." : "."));
        }

        if (measures.Contains(AbMeasure.Ingest))
        {
            Line($"- **Ingest:** `/api/batch` of 100 `tasks_running` updates from 4 clients over 1,000 sessions, no subscribers, warmed up until tiered " +
                 $"compilation settled, {Options.IngestDuration.TotalSeconds:F0} s measured; only updates the log head moved by count.");
        }

        if (measures.Contains(AbMeasure.Otlp))
        {
            Line($"- **OTLP:** OTLP/HTTP trace exports of {OtlpRequests.SpansPerRequest} GenAI spans over {OtlpRequests.Conversations} conversations (the " +
                 $"`--otlp` workload) from {Options.OtlpSenders} exporters while {OtlpRun.Subscribers:N0} subscribers watch `sessions`, warmed up until tiered " +
                 $"compilation settled, {Options.OtlpDuration.TotalSeconds:F0} s measured; complete means every event reached every subscriber.");
        }

        if (measures.Contains(AbMeasure.Hooks))
        {
            Line($"- **Hooks:** {HookLoad.From(Options, HookLoad.Everyday)} (the `--hooks` workload at a fleet's everyday rate), warmed up until tiered compilation settled, " +
                 $"{Options.HookDuration.TotalSeconds:F0} s measured; a round trip timed from when the hook was due, a delivery from its send to each dashboard.");
        }

        if (Results.PostgresVersion is { } version)
        {
            Line($"- **PostgreSQL:** {version}, a throwaway cluster on 127.0.0.1 of this machine started as the tests start theirs (`initdb` as the " +
                 "`postgres` user, `fsync=off`, so the figures are the server's and not the disk's flush latency); a fresh database per server.");
        }
    }

    private void Targets()
    {
        var r = Results;
        var gated = r.Stores.SelectMany(s => Compared.Where(m => m.Gated).Select(m => r.Compare(s, m, r.Before, r.After))).OfType<AbComparison>().ToList();
        Line("| target | measured | |");
        Line("|---|---|---|");
        if (gated.Count > 0)
        {
            var all = r.Stores.Count() == 2 && gated.Count == 6;
            var verdict = gated.All(c => c.Passed == true) ? (all ? "met" : "met where measured (not every arm ran)") : "**missed**";
            Line($"| ingest, OTLP spans/s and saturated deliveries/s after ≥ {AbResults.Bound:F2}× the median of before, on SQLite and on PostgreSQL (issue 46) | " +
                 string.Join("; ", gated.Select(c => $"{StoreName(c.Store)} {c.Metric.Column} {c.Ratio:F3}×")) + $" | {verdict} |");
        }

        if (r.Compare(AbStore.Sqlite, OtlpRate, r.Before, r.After) is { } otlp)
        {
            Line($"| OTLP spans/s with {OtlpRun.Subscribers:N0} subscribers ≥ {N(OtlpReport.TargetSpansPerSecond)} on SQLite, beside before (issue 44) | " +
                 $"after {N(otlp.Second)}, before {N(otlp.First)} (medians) | {(otlp.Second >= OtlpReport.TargetSpansPerSecond ? "met" : "**missed**")} |");
        }

        Line($"| every event delivered (fan-out and OTLP), every acknowledged update persisted (ingest), in every arm of every round | " +
             $"{r.Samples.Select(s => (s.Round, s.Store, s.Arm)).Distinct().Count(k => r.Samples.Where(s => (s.Round, s.Store, s.Arm) == k).All(s => s.Complete))} of " +
             $"{r.Samples.Select(s => (s.Round, s.Store, s.Arm)).Distinct().Count()} complete | {(r.Complete ? "met" : "**missed**")} |");
    }

    /// <summary>Every round: one row per store and arm, one column per figure that was measured.</summary>
    private void Rounds()
    {
        var r = Results;
        var columns = Compared.Where(m => r.Samples.Any(s => s.Metric == m)).ToList();
        Line("**Every round:**");
        Line();
        Line("| round | store | arm | " + string.Join(" | ", columns.Select(m => m.Column)) + " | complete |");
        Line("|---:|---|---|" + string.Concat(columns.Select(_ => "---:|")) + "---|");
        foreach (var round in r.Samples.Select(s => s.Round).Distinct().Order())
        {
            foreach (var store in r.Stores)
            {
                foreach (var arm in new[] { r.Before, r.After, r.Storm })
                {
                    var row = r.Samples.Where(s => s.Round == round && s.Store == store && s.Arm == arm).ToList();
                    if (row.Count == 0)
                    {
                        continue;
                    }

                    string Cell(AbMetric m) => row.FirstOrDefault(s => s.Metric == m) is { } s ? m.Format(s.Value) : "";
                    Line($"| {round + 1} | {StoreName(store)} | {arm} | {string.Join(" | ", columns.Select(Cell))} | {(row.All(s => s.Complete) ? "yes" : "**no**")} |");
                }
            }
        }
    }

    private void Line(string text = "") => _md.Append(text).Append('\n');
}

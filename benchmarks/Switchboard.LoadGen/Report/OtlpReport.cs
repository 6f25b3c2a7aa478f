using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Scenarios;

namespace Switchboard.LoadGen.Report;

/// <summary>Writes the OTLP run (<c>--otlp</c>) into its own generated section of <c>docs/benchmarks.md</c>.</summary>
internal sealed class OtlpReport : SectionReport<OtlpResult>
{
    public const string Begin = "<!-- BEGIN GENERATED OTLP: written by benchmarks/Switchboard.LoadGen --otlp; do not edit by hand -->";
    public const string End = "<!-- END GENERATED OTLP -->";

    /// <summary>Issue 27's throughput target on one node of this machine.</summary>
    public const double TargetSpansPerSecond = 50_000;

    private readonly StringBuilder _md = new();

    public void WriteInto(string path) => GeneratedSection.WriteInto(path, Begin, End, Render());

    public string Render()
    {
        var r = Results;
        _md.Clear();
        Line("### OpenTelemetry in: latest run");
        Line();
        Line(Head());
        Line($"- **Load average** (1/5/15 min) before: {LoadBefore}; after: {LoadAfter}; at the end of each measurement in the table. The machine is " +
             "shared: anything above ~0.5 means other work ran on the same cores, and the load generator itself shares them with the server.");
        Line();
        Line($"**Workload:** OTLP/HTTP `POST /v1/traces`, `application/x-protobuf`, each request {OtlpRequests.SpansPerRequest} ended GenAI spans " +
             $"across {OtlpRequests.Conversations} conversations (`gen_ai.conversation.id`; about four in five `chat` spans with token usage, the rest " +
             $"`execute_tool`), every span new (fresh ids), from {r.Senders} exporters sending back to back for {r.Alone.Seconds:F0} s after a warm-up: " +
             $"first with nobody watching (the ingest alone), then while {OtlpRun.Subscribers:N0} WebSocket subscribers watch `sessions`.");
        Line();
        Line("| subscribers | spans/s | server CPU/span | events appended per request | event deliveries/s | delivered to each subscriber | refused | load |");
        Line("|---:|---:|---:|---:|---:|---|---:|---|");
        foreach (var p in new[] { r.Alone, r.Watched })
        {
            Line($"| {N(p.Subscribers)} | {N(p.SpansPerSecond)} | {p.CpuMicrosPerSpan:F2} µs | {p.EventsPerRequest:F2} | {N(p.DeliveriesPerSecond)} | " +
                 (p.Subscribers == 0 ? "—" : $"{N(p.FewestDelivered)}–{N(p.MostDelivered)} of {N(p.EventsAppended)}{(p.SubscribersClosed > 0 ? $", {p.SubscribersClosed} closed" : "")}") +
                 $" | {N(p.Refused)} | {p.Load} |");
        }

        Line();
        Line("| target | measured | |");
        Line("|---|---|---|");
        Line($"| ≥ {N(TargetSpansPerSecond)} spans/s on one node, while {OtlpRun.Subscribers:N0} subscribers watch `sessions` | {N(r.Watched.SpansPerSecond)} spans/s " +
             $"({N(r.Alone.SpansPerSecond)} with nobody watching) | {(r.Watched.SpansPerSecond >= TargetSpansPerSecond ? "met" : "**missed**")} |");
        Line($"| ≤ 1 event per session per request (≤ {OtlpRequests.Conversations} per request) | {r.Alone.EventsPerRequest:F2} and {r.Watched.EventsPerRequest:F2} per request | " +
             $"{(r.Alone.Coalesced && r.Watched.Coalesced ? "met" : "**missed**")} |");
        Line($"| every event delivered to every subscriber | {N(r.Watched.FewestDelivered)}–{N(r.Watched.MostDelivered)} of {N(r.Watched.EventsAppended)} | " +
             $"{(r.Watched.DeliveredToAll ? "met" : "**missed**")} |");
        return _md.ToString();
    }

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private void Line(string text = "") => _md.Append(text).Append('\n');
}

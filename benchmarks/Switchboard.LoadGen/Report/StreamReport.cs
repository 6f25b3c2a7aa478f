using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Scenarios;

namespace Switchboard.LoadGen.Report;

/// <summary>Writes the Durable Streams benchmark (<c>--streams</c>) into its own generated section of <c>docs/benchmarks.md</c>.</summary>
internal sealed class StreamReport : SectionReport<StreamResults>
{
    public const string Begin = "<!-- BEGIN GENERATED STREAMS: written by benchmarks/Switchboard.LoadGen --streams; do not edit by hand -->";
    public const string End = "<!-- END GENERATED STREAMS -->";

    private readonly StringBuilder _md = new();

    public void WriteInto(string path) => GeneratedSection.WriteInto(path, Begin, End, Render());

    public string Render()
    {
        _md.Clear();
        Line("### Durable Streams: latest run");
        Line();
        Line(Head());
        Line($"- **Load average** (1/5/15 min) before: {LoadBefore}; after: {LoadAfter}. The load generator shares the two cores with the server it measures.");
        Line($"- **Servers:** Switchboard on SQLite (every append committed before it is answered), and the protocol's reference server " +
             "`@durable-streams/server` 0.3.7 in memory (`benchmarks/streams`), each workload on a fresh one.");
        Line($"- **Appends:** {StreamRun.Producers} producers, each on its own `text/plain` stream, one append of {StreamRun.AppendBytes} bytes in flight each, " +
             $"with `Producer-Id`/`-Epoch`/`-Seq`, 5 s warm-up then {Options.StreamDuration.TotalSeconds:F0} s; afterwards every stream is read back.");
        Line($"- **Fan-out:** {StreamRun.Readers:N0} SSE readers (`live=sse` from offset `-1`) of one stream while {StreamRun.Appenders} writers append {StreamRun.ChunkBytes}-byte chunks, " +
             $"one in flight each, for {Options.StreamDuration.TotalSeconds:F0} s; delivered bytes/s is the data events' payload summed over the readers, over the time " +
             "from the first append until the last reader had the last byte.");
        Line($"- **Catch-up:** a stream of {Options.StreamMegabytes} MB (appends of {StreamRun.CatchUpAppendBytes / 1024} KiB) read from offset `-1` to its tail, " +
             $"following `Stream-Next-Offset`: {StreamRun.CatchUpWarmUps} reads to warm up, then the median of {StreamRun.CatchUpReads}.");
        Line();
        var sb = Results.Systems.FirstOrDefault(s => s.System == StreamSystem.Switchboard);
        var rf = Results.Systems.FirstOrDefault(s => s.System == StreamSystem.Reference);
        Line("| measure | Switchboard (durable) | reference (in memory) | Switchboard ÷ reference | target ≥ 1× |");
        Line("|---|---:|---:|---:|---|");
        Row("appends/s", s => s.Appends.AppendsPerSecond, N);
        Row("server CPU per append", s => s.Appends.CpuMicrosPerAppend, v => $"{v:F1} µs", higherIsBetter: false);
        Row("SSE delivered MB/s to 1,000 readers", s => s.Fanout.DeliveredBytesPerSecond / 1e6, v => v.ToString("F1", CultureInfo.InvariantCulture));
        Row("catch-up read MB/s", s => s.CatchUp.MegabytesPerSecond, v => v.ToString("F0", CultureInfo.InvariantCulture));
        Line();
        Line("| server | appends acknowledged | refused | bytes read back | readers | bytes each reader got (of appended) | reconnects | catch-up requests | complete |");
        Line("|---|---:|---:|---:|---:|---|---:|---:|---|");
        foreach (var s in Results.Systems)
        {
            var complete = s.Appends.Complete && s.Fanout.Complete && s.CatchUp.Complete;
            Line($"| {Name(s.System)} | {N(s.Appends.Acknowledged)} | {N(s.Appends.Refused)} | {N(s.Appends.BytesReadBack)} of {N(s.Appends.BytesAcknowledged)} | " +
                 $"{N(s.Fanout.Readers)} | {N(s.Fanout.FewestBytes)}–{N(s.Fanout.MostBytes)} of {N(s.Fanout.Appended)} | {s.Fanout.Reconnects} | {s.CatchUp.Requests} | " +
                 $"{(complete ? "yes" : "**no**")} |");
        }

        return _md.ToString();

        void Row(string what, Func<StreamSystemResult, double> value, Func<double, string> format, bool higherIsBetter = true)
        {
            if (sb is null || rf is null)
            {
                return;
            }

            var ratio = value(sb) / value(rf);
            var met = higherIsBetter ? ratio >= 1 : ratio <= 1;
            Line($"| {what} | {format(value(sb))} | {format(value(rf))} | {ratio:F2} | {(higherIsBetter ? (met ? "met" : "**missed**") : "")} |");
        }
    }

    private static string Name(StreamSystem system) => system == StreamSystem.Switchboard ? "Switchboard" : "reference";

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private void Line(string text = "") => _md.Append(text).Append('\n');
}

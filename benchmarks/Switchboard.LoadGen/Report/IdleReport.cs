using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Scenarios;

namespace Switchboard.LoadGen.Report;

/// <summary>Writes the idle footprint (<c>--idle</c>) into its own generated section of <c>docs/benchmarks.md</c>.</summary>
internal sealed class IdleReport : SectionReport<IdleResults>
{
    public const string Begin = "<!-- BEGIN GENERATED IDLE: written by benchmarks/Switchboard.LoadGen --idle; do not edit by hand -->";
    public const string End = "<!-- END GENERATED IDLE -->";

    private readonly StringBuilder _md = new();

    public void WriteInto(string path) => GeneratedSection.WriteInto(path, Begin, End, Render());

    public string Render()
    {
        var r = Results;
        _md.Clear();
        Line("### Idle footprint: latest run");
        Line();
        Line(Head());
        Line($"- **Load average** (1/5/15 min) before: {LoadBefore}; after: {LoadAfter}.");
        Line($"- **Server:** {(Options.SwitchboardDll is { } dll ? $"`{Path.GetFileName(dll)}` from `{Path.GetRelativePath(Environment.CurrentDirectory, Path.GetDirectoryName(dll)!)}`" : "the current build (`dotnet switchboard.dll`)")}" +
             $"{(Options.SwitchboardEnvironment.Count > 0 ? ", with " + string.Join(", ", Options.SwitchboardEnvironment.Select(e => $"`{e.Key}={e.Value}`")) : "")}; " +
             "default settings, SQLite on a fresh data directory.");
        Line($"- **Light use:** {IdleRun.LightUse} for {Options.IdleUse.TotalSeconds:F0} s, and `GET /api/sessions` every 5 s.");
        Line();
        Line("| round | start-up to `/healthz` | RSS 2 s after start | RSS after light use |");
        Line("|---|---:|---:|---:|");
        for (var i = 0; i < r.Rounds.Count; i++)
        {
            var round = r.Rounds[i];
            Line($"| {i + 1} | {round.StartUp.TotalMilliseconds:F0} ms | {Mb(round.RssAtStart)} | {Mb(round.RssAfterUse)} |");
        }

        Line();
        Line("| target | median | |");
        Line("|---|---:|---|");
        Line($"| start-up to `/healthz` ≤ 300 ms | {r.MedianStartUpMs:F0} ms | {Judge(r.MedianStartUpMs <= 300)} |");
        Line($"| RSS after start ≤ 50 MB | {Mb(r.MedianRssAtStart)} | {Judge(r.MedianRssAtStart <= 50 * 1048576.0)} |");
        Line($"| RSS after light use ≤ 70 MB | {Mb(r.MedianRssAfterUse)} | {Judge(r.MedianRssAfterUse <= 70 * 1048576.0)} |");
        Line($"| RSS per idle WebSocket connection ≤ 8 KB ({r.Connections:N0} on `sessions`, after a full GC) | {r.BytesPerConnection / 1024:F2} KB | {Judge(r.BytesPerConnection <= 8 * 1024)} |");
        return _md.ToString();
    }

    private static string Judge(bool met) => met ? "met" : "**missed**";

    private static string Mb(double bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " MB";

    private void Line(string text = "") => _md.Append(text).Append('\n');
}

using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Scenarios;

namespace Switchboard.LoadGen.Report;

/// <summary>Writes the commands benchmark (<c>--commands</c>) into its own generated section of <c>docs/benchmarks.md</c>.</summary>
internal sealed class CommandReport : SectionReport<CommandResults>
{
    public const string Begin = "<!-- BEGIN GENERATED COMMANDS: written by benchmarks/Switchboard.LoadGen --commands; do not edit by hand -->";
    public const string End = "<!-- END GENERATED COMMANDS -->";

    private readonly StringBuilder _md = new();

    /// <summary>Replaces the commands section of <paramref name="path"/>, appending one if there is none.</summary>
    public void WriteInto(string path) => GeneratedSection.WriteInto(path, Begin, End, Render());

    public string Render()
    {
        _md.Clear();
        Line("### Commands to agents: latest run");
        Line();
        Line(Head());
        Line($"- **Load average** (1/5/15 min) before: {LoadBefore}; after: {LoadAfter}. The machine is shared: anything above ~0.5 means other work ran on the same cores " +
             "(the load generator itself, on the same two cores, is most of it).");
        Line();
        Line($"**From issue to producer receipt**: {N(CommandRun.Producers)} producers (sessions), {N(Results.Socket.Issued)} `message` commands issued over HTTP at " +
             $"{Results.CommandRate}/s to random sessions, each timed from just before its POST to its receipt; SQLite, one server started fresh for each path:");
        Line();
        Line("| producers wait on | received | p50 | p99 | max | server CPU/command | load avg at start | target p99 ≤ 50 ms |");
        Line("|---|---:|---:|---:|---:|---:|---|---|");
        foreach (var r in new[] { Results.Socket, Results.LongPoll })
        {
            var what = r.Path == "sockets" ? "a WebSocket on `session:{id}` each" : "a long-poll `GET …/commands?wait=30` each";
            Line($"| {what} | {N(r.Received)}/{N(r.Issued)}{(r.Failures > 0 ? $" ({r.Failures} failed)" : "")} | {Ms(r.P50Micros)} | {Ms(r.P99Micros)} | {Ms(r.MaxMicros)} | " +
                 $"{r.ServerCpuMicrosPerCommand:F0} µs | {r.LoadAverage} | {(r.P99Micros <= 50_000 ? "met" : "missed")} |");
        }

        var rate = Results.Rate;
        Line();
        Line($"**Commands issued per second**: 64 clients POST `/api/sessions/{{id}}/commands` back to back for {Results.RateDuration.TotalSeconds:F0} s " +
             "(no producer attached; each is a write through the group commit with its `command_issued` event):");
        Line();
        Line("| issued | per second | server CPU/command | load avg at start | target ≥ 5,000/s |");
        Line("|---:|---:|---:|---|---|");
        Line($"| {N(rate.Issued)}{(rate.Failures > 0 ? $" ({rate.Failures} failed)" : "")} | {N(rate.PerSecond)} | {rate.CpuMicrosPerCommand:F0} µs | {rate.LoadAverage} | " +
             $"{(rate.PerSecond >= 5000 ? "met" : "missed")} |");
        return _md.ToString();
    }

    private static string Ms(long micros) => (micros / 1000.0).ToString("F1", CultureInfo.InvariantCulture) + " ms";

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private void Line(string text = "") => _md.Append(text).Append('\n');
}

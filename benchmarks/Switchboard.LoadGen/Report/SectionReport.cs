namespace Switchboard.LoadGen.Report;

/// <summary>When, where and how a benchmark ran: what the head of every generated section says.</summary>
internal sealed record RunInfo(BenchOptions Options, MachineInfo Machine, DateTimeOffset Started, TimeSpan Elapsed, string LoadBefore, string LoadAfter);

/// <summary>A generated section of <c>docs/benchmarks.md</c>: a run's <see cref="RunInfo"/> and its results.</summary>
internal abstract class SectionReport<TResults>
{
    public required RunInfo Run { get; init; }

    public required TResults Results { get; init; }

    public BenchOptions Options => Run.Options;

    public MachineInfo Machine => Run.Machine;

    public DateTimeOffset Started => Run.Started;

    public TimeSpan Elapsed => Run.Elapsed;

    public string LoadBefore => Run.LoadBefore;

    public string LoadAfter => Run.LoadAfter;

    /// <summary>
    /// The three lines every section's head starts with: how to run it again, when and at which commit (or
    /// <paramref name="date"/>, a line of the section's own), and the machine.
    /// </summary>
    protected string Head(string? date = null) => string.Join('\n',
        $"- **Command:** `dotnet run -c Release --project benchmarks/Switchboard.LoadGen{(Options.CommandLine.Length > 0 ? " -- " + Options.CommandLine : "")}` " +
        $"(took {Elapsed.TotalMinutes:F1} min)",
        date ?? $"- **Date:** {Started:yyyy-MM-dd HH:mm} UTC, commit `{Machine.Commit}`",
        $"- **Machine:** {Machine.Cores} cores ({Machine.Cpu}), {Machine.MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB RAM, {Machine.Os}, Linux {Machine.Kernel}, {Machine.Runtime}");
}

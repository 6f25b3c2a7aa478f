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
}

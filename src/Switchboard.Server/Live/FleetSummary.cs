using System.Text.Json;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;

namespace Switchboard.Server.Live;

/// <summary>The parts of a fleet summary that count as a change; duration and position move on their own.</summary>
internal readonly record struct FleetTotals(
    long ActiveCount, long TotalCount, long Initializing, long Idle, long Working, long Paused, long Error, long Terminating, long Terminated,
    long Waiting, long TasksRunning, Int128 InputTokens, Int128 OutputTokens, decimal CostUsd, bool IsPaused);

/// <summary>The data of the derived <c>summary</c> event: counts and totals over the whole fleet. Never stored; <see cref="AsOfSeq"/> says which log position it reflects.</summary>
internal sealed record FleetSummary(FleetTotals Values, long DurationSeconds, long AsOfSeq)
{
    public void WriteData(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        WriteFields(w);
        w.WriteEndObject();
    }

    /// <summary>The summary's fields, for callers that add their own (e.g. the HTTP API adds the epoch).</summary>
    public void WriteFields(Utf8JsonWriter w)
    {
        var v = Values;
        w.WriteNumber("as_of_seq", AsOfSeq);
        w.WriteNumber("active_count", v.ActiveCount);
        w.WriteNumber("total_count", v.TotalCount);
        w.WriteStartObject("counts");
        w.WriteNumber("initializing", v.Initializing);
        w.WriteNumber("idle", v.Idle);
        w.WriteNumber("working", v.Working);
        w.WriteNumber("paused", v.Paused);
        w.WriteNumber("error", v.Error);
        w.WriteNumber("terminating", v.Terminating);
        w.WriteNumber("terminated", v.Terminated);
        w.WriteNumber("waiting", v.Waiting);
        w.WriteEndObject();
        // Fleet sums of the session fields of the same names.
        w.WriteNumber(SessionWire.TasksRunning.EncodedName, v.TasksRunning);
        w.WriteNumber(SessionWire.InputTokens.EncodedName, Saturate(v.InputTokens));
        w.WriteNumber(SessionWire.OutputTokens.EncodedName, Saturate(v.OutputTokens));
        w.WriteNumber(SessionWire.TotalTokens.EncodedName, Saturate(v.InputTokens + v.OutputTokens));
        w.WriteNumber("estimated_cost_usd", Decimals.Normalize(v.CostUsd));
        w.WriteBoolean("is_paused", v.IsPaused);
        w.WriteNumber("duration_seconds", DurationSeconds);
    }

    /// <summary>What one active session adds to the fleet's running tasks (the projection keeps the sum as sessions come and go).</summary>
    public static long SummedTasks(Session session) => session.TasksRunning;

    /// <summary>Fleet totals are exact inside; on the wire (64-bit for every client) they stop at 2^63-1 rather than wrap.</summary>
    private static long Saturate(Int128 value) => value > long.MaxValue ? long.MaxValue : (long)value;

    /// <summary>The totals from the per-state counts, indexed by <see cref="SessionState"/>.</summary>
    public static FleetTotals FromCounts(long[] counts, long tasks, Int128 input, Int128 output, decimal cost, bool paused)
    {
        long total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        // By name, not position: a state added at the end of the enumeration takes no other state's count.
        long Of(SessionState state) => counts[(int)state];
        return new FleetTotals(total - Of(SessionState.Terminated), total,
            Of(SessionState.Initializing), Of(SessionState.Idle), Of(SessionState.Working), Of(SessionState.Paused), Of(SessionState.Error),
            Of(SessionState.Terminating), Of(SessionState.Terminated), Of(SessionState.Waiting), tasks, input, output, cost, paused);
    }
}

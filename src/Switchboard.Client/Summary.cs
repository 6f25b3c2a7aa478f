namespace Switchboard.Client;

/// <summary>Counts and totals over the whole fleet, as of one log position.</summary>
public sealed record Summary
{
    /// <summary>The log position (<c>seq</c>) this summary reflects.</summary>
    public long AsOfSeq { get; init; }

    /// <summary>The log's epoch.</summary>
    public string? Epoch { get; init; }

    /// <summary>Sessions in any state but terminated.</summary>
    public long ActiveCount { get; init; }

    /// <summary>Every session the server holds.</summary>
    public long TotalCount { get; init; }

    /// <summary>Sessions per state; sessions in states this client does not know (a newer server's) are counted under <see cref="SessionState.Unknown"/>.</summary>
    public IReadOnlyDictionary<SessionState, long> Counts { get; init; } = new Dictionary<SessionState, long>();

    /// <summary>Tasks running over all active sessions.</summary>
    public long TasksRunning { get; init; }

    /// <summary>Input tokens over all sessions.</summary>
    public long InputTokens { get; init; }

    /// <summary>Output tokens over all sessions.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Input plus output tokens.</summary>
    public long TotalTokens { get; init; }

    /// <summary>Cost over all sessions, in US dollars.</summary>
    public decimal EstimatedCostUsd { get; init; }

    /// <summary>The fleet pause flag.</summary>
    public bool IsPaused { get; init; }

    /// <summary>Seconds since the current busy period began; 0 when no session is active.</summary>
    public long DurationSeconds { get; init; }

    /// <summary>The number of sessions in <paramref name="state"/>.</summary>
    public long Count(SessionState state) => Counts.GetValueOrDefault(state);

    /// <inheritdoc />
    public bool Equals(Summary? other) =>
        other is not null
        && AsOfSeq == other.AsOfSeq && Epoch == other.Epoch && ActiveCount == other.ActiveCount && TotalCount == other.TotalCount
        && TasksRunning == other.TasksRunning && InputTokens == other.InputTokens && OutputTokens == other.OutputTokens
        && TotalTokens == other.TotalTokens && EstimatedCostUsd == other.EstimatedCostUsd && IsPaused == other.IsPaused
        && DurationSeconds == other.DurationSeconds
        && SessionStates.All.All(s => Count(s) == other.Count(s)) && Count(SessionState.Unknown) == other.Count(SessionState.Unknown);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(AsOfSeq, Epoch, ActiveCount, TotalCount);
}

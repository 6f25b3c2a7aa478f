using Switchboard.Core.Errors;
using Switchboard.Core.Events;
using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Storage;

/// <summary>What the server loads at start-up, consistent as of <see cref="HeadSeq"/>.</summary>
internal sealed record StoreState(string Epoch, long HeadSeq, bool FleetPaused, IReadOnlyList<Session> ActiveSessions, SessionTotals Totals)
{
    /// <summary>The alerts open as of <see cref="HeadSeq"/>, oldest first.</summary>
    public IReadOnlyList<Switchboard.Core.Alerts.Alert> OpenAlerts { get; init; } = [];

    /// <summary>The commands outstanding (pending or delivered) as of <see cref="HeadSeq"/>, in the order issued.</summary>
    public IReadOnlyList<Switchboard.Core.Commands.Command> OutstandingCommands { get; init; } = [];

    /// <summary>The approvals pending as of <see cref="HeadSeq"/>, in the order asked.</summary>
    public IReadOnlyList<Switchboard.Core.Approvals.Approval> PendingApprovals { get; init; } = [];
}

/// <summary>
/// Counts and sums over every session the store holds. Token sums are 128-bit: each session's counters fit in 64 bits,
/// their sum across sessions need not, and it must come out identical however it is computed (live or from the store).
/// </summary>
internal sealed record SessionTotals(IReadOnlyDictionary<SessionState, long> Counts, Int128 InputTokens, Int128 OutputTokens, decimal CostUsd);

/// <summary>Filters for listing sessions. All filters combine with AND.</summary>
internal sealed record SessionQuery
{
    /// <summary>Only these states.</summary>
    public IReadOnlyList<SessionState>? States { get; init; }
    /// <summary>Only sessions carrying all these labels.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    /// <summary>True: only active; false: only terminated; null: both.</summary>
    public bool? Active { get; init; }
    /// <summary>Continue below this <c>created_seq</c> (the cursor).</summary>
    public long? BeforeCreatedSeq { get; init; }
    /// <summary>Only the children of this session, when set.</summary>
    public string? ParentId { get; init; }
    /// <summary>True: only roots (no parent); false: only sessions with a parent; null: both.</summary>
    public bool? Roots { get; init; }
    /// <summary>Page size.</summary>
    public int Limit { get; init; } = SwitchboardDefaults.DefaultPageSize;
}

/// <summary>One page of sessions; <see cref="NextCursor"/> is null on the last page.</summary>
internal sealed record SessionPage(IReadOnlyList<Session> Sessions, long? NextCursor)
{
    /// <summary>
    /// The log position the page was read at: each session (its <c>subtree</c> included) is as of this seq, so a live view
    /// applies only later events to it.
    /// </summary>
    public long AsOfSeq { get; init; }
}

/// <summary>Which events to read.</summary>
internal sealed record EventQuery
{
    /// <summary>Events with a <c>seq</c> greater than this.</summary>
    public long AfterSeq { get; init; }
    /// <summary>And at most this, when set.</summary>
    public long? UpToSeq { get; init; }
    /// <summary>Only this session's events, when set.</summary>
    public string? SessionId { get; init; }
    /// <summary>Only the events of this subtree's sessions (and the subtree root's alert events), when set.</summary>
    public SubtreeFilter? Subtree { get; init; }
    /// <summary>Most events to return.</summary>
    public int Limit { get; init; } = SwitchboardDefaults.EventReadLimit;
}

/// <summary>
/// The retained range: every event with <c>FirstSeq &lt;= seq &lt;= HeadSeq</c> is stored.
/// When the log is empty, <see cref="FirstSeq"/> is <c>HeadSeq + 1</c>.
/// </summary>
internal readonly record struct LogBounds(long FirstSeq, long HeadSeq)
{
    /// <summary>True when every event after <paramref name="since"/> is still stored.</summary>
    public bool CanResumeFrom(long since) => since >= FirstSeq - 1 && since <= HeadSeq;
}

/// <summary>How long events are kept: both limits apply.</summary>
internal sealed record RetentionPolicy(TimeSpan MaxAge, long MaxEvents)
{
    /// <summary>24 hours or 1,000,000 events.</summary>
    public static RetentionPolicy Default { get; } = new(SwitchboardDefaults.RetentionMaxAge, SwitchboardDefaults.RetentionMaxEvents);
}

/// <summary>The store cannot commit right now; nothing was written.</summary>
public class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The database refused what a batch would store (a character or a size it cannot hold, a constraint): nothing was
/// written, and sending the same values again cannot help. Says nothing about the store's health; the group commit
/// commits the batch's writes one at a time so only the write at fault is refused (<see cref="Switchboard.Core.Errors.SwitchboardError.StoreRefused"/>).
/// </summary>
internal sealed class StoreRejectedException(string message, Exception? inner = null) : Exception(message, inner);

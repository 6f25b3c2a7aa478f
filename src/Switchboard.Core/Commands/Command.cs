namespace Switchboard.Core.Commands;

/// <summary>What a command asks the producer of a session to do.</summary>
internal enum CommandType
{
    /// <summary><c>cancel</c>: stop the run; the producer terminates the session (the demo fleet with reason <c>cancelled</c>).</summary>
    Cancel,
    /// <summary><c>pause</c>: stop working until resumed; the producer moves the session to <c>paused</c>.</summary>
    Pause,
    /// <summary><c>resume</c>: carry on after a pause.</summary>
    Resume,
    /// <summary><c>message</c>: read <see cref="Command.Text"/> (and <see cref="Command.Data"/>).</summary>
    Message,
}

/// <summary>
/// Where a command is in its life: pending → delivered → acknowledged, or expired, or withdrawn. A delivered command not
/// acknowledged by its <see cref="Command.RedeliverAt"/> is handed over again and stays delivered.
/// </summary>
internal enum CommandState
{
    /// <summary>Issued; no producer has been handed it yet.</summary>
    Pending,
    /// <summary>
    /// Handed to the producer at least once (a write answer, a long-poll); not yet acknowledged. Handed over again once
    /// its visibility timeout (<see cref="Command.RedeliverAt"/>) passes.
    /// </summary>
    Delivered,
    /// <summary>The producer answered with an outcome.</summary>
    Acknowledged,
    /// <summary>Its expiry passed before the producer acknowledged it.</summary>
    Expired,
    /// <summary>Withdrawn by an operator while still pending.</summary>
    Withdrawn,
}

/// <summary>The producer's answer to a command.</summary>
internal enum CommandOutcome
{
    /// <summary><c>done</c>: the producer did what was asked.</summary>
    Done,
    /// <summary><c>rejected</c>: the producer chose not to (it cannot pause, say).</summary>
    Rejected,
    /// <summary><c>failed</c>: the producer tried and failed.</summary>
    Failed,
}

/// <summary>
/// One command to the producer of one session. Its row changes only through the group commit, each change in the same
/// transaction as the event that reports it (<c>command_issued</c>, <c>command_delivered</c>, <c>command_acknowledged</c>,
/// <c>command_expired</c>, <c>command_withdrawn</c>), so the log is its history.
/// </summary>
internal sealed record Command : Switchboard.Core.Sessions.ISessionRequest
{
    /// <summary>The command's id (<c>cmd_…</c>); a producer deduplicates on it.</summary>
    public required string Id { get; init; }
    /// <summary>The session whose producer the command is for.</summary>
    public required string SessionId { get; init; }
    /// <summary>What to do.</summary>
    public required CommandType Type { get; init; }
    /// <summary>A message, or why (≤ <see cref="CommandLimits.MaxTextLength"/> characters); required for <c>message</c>.</summary>
    public string? Text { get; init; }
    /// <summary>A JSON object for the producer, as compact text; null when none was given.</summary>
    public string? Data { get; init; }
    /// <summary>Where it is in its life.</summary>
    public CommandState State { get; init; } = CommandState.Pending;
    /// <summary>When it was issued.</summary>
    public DateTimeOffset IssuedAt { get; init; }
    /// <summary>The <c>seq</c> of its <c>command_issued</c> event (orders a session's commands).</summary>
    public long IssuedSeq { get; init; }
    /// <summary>Who issued it: an API key's fingerprint, <c>anonymous</c> (auth off) or <c>rule:{id}</c>.</summary>
    public required string IssuedBy { get; init; }
    /// <summary>After this it is no longer delivered, and the expiry job moves it to expired.</summary>
    public DateTimeOffset ExpiresAt { get; init; }
    /// <summary>When a producer was first handed it.</summary>
    public DateTimeOffset? DeliveredAt { get; init; }
    /// <summary>How many times it was handed over (0 while pending); each hand-over appends <c>command_delivered</c> with it.</summary>
    public int Attempt { get; init; }
    /// <summary>
    /// A delivered command's visibility timeout: unacknowledged by then, it is handed over again. Set at each hand-over (the
    /// store keeps it; it is not on the wire). Null on a command delivered before redelivery existed: due at once.
    /// </summary>
    public DateTimeOffset? RedeliverAt { get; init; }
    /// <summary>When the producer acknowledged it.</summary>
    public DateTimeOffset? AcknowledgedAt { get; init; }
    /// <summary>The producer's answer.</summary>
    public CommandOutcome? Outcome { get; init; }
    /// <summary>The producer's note with its answer.</summary>
    public string? Note { get; init; }

    /// <summary>True while a producer may still act on it: pending or delivered (whatever the clock says).</summary>
    public bool IsOutstanding => State is CommandState.Pending or CommandState.Delivered;

    /// <inheritdoc />
    bool Switchboard.Core.Sessions.ISessionRequest.IsOpen => IsOutstanding;

    /// <summary>True when it is outstanding and its expiry has not passed at <paramref name="now"/>.</summary>
    public bool IsLiveAt(DateTimeOffset now) => IsOutstanding && ExpiresAt > now;

    /// <summary>
    /// True when a hand-over at <paramref name="now"/> takes it: live, and pending, or delivered and not acknowledged by its
    /// visibility timeout. The one rule every hand-over (a write answer, a long-poll) follows.
    /// </summary>
    public bool IsDueAt(DateTimeOffset now) =>
        IsLiveAt(now) && (State == CommandState.Pending || (RedeliverAt ?? DateTimeOffset.MinValue) <= now);

    /// <summary>
    /// A fresh command id, ordered by <paramref name="now"/> (a version 7 UUID): the stores' tables and indexes by id then
    /// grow at their end instead of at a random page per command.
    /// </summary>
    public static string NewId(DateTimeOffset now) => "cmd_" + Guid.CreateVersion7(now).ToString("N");
}

using System.Text.Json;

namespace Switchboard.Client;

/// <summary>What a command asks the producer of a session to do.</summary>
public enum CommandType
{
    /// <summary><c>cancel</c>: stop the run and terminate the session.</summary>
    Cancel,
    /// <summary><c>pause</c>: stop working until resumed (the session goes to <c>paused</c>).</summary>
    Pause,
    /// <summary><c>resume</c>: carry on after a pause.</summary>
    Resume,
    /// <summary><c>message</c>: read <see cref="SessionCommand.Text"/>.</summary>
    Message,
}

/// <summary>Where a command is in its life.</summary>
public enum CommandState
{
    /// <summary>Issued; no producer has been handed it yet.</summary>
    Pending,
    /// <summary>Handed to the producer; not yet acknowledged (handed over again if that takes longer than the server's <c>Commands:RedeliverAfter</c>).</summary>
    Delivered,
    /// <summary>The producer answered with an outcome.</summary>
    Acknowledged,
    /// <summary>Its expiry passed first.</summary>
    Expired,
    /// <summary>An operator withdrew it while pending.</summary>
    Withdrawn,
}

/// <summary>The producer's answer to a command.</summary>
public enum CommandOutcome
{
    /// <summary>Done as asked.</summary>
    Done,
    /// <summary>Chosen not to (it cannot pause, say).</summary>
    Rejected,
    /// <summary>Tried and failed.</summary>
    Failed,
}

/// <summary>A command to the producer of one session (<c>/api/sessions/{id}/commands</c>); its <see cref="Id"/> is the key to drop a repeat.</summary>
public sealed record SessionCommand
{
    /// <summary>The command's id (<c>cmd_…</c>).</summary>
    public required string Id { get; init; }
    /// <summary>The session it is for.</summary>
    public required string SessionId { get; init; }
    /// <summary>What to do.</summary>
    public CommandType Type { get; init; }
    /// <summary>A message, or why.</summary>
    public string? Text { get; init; }
    /// <summary>A JSON object for the producer, or null.</summary>
    public JsonElement? Data { get; init; }
    /// <summary>Where it is in its life.</summary>
    public CommandState State { get; init; }
    /// <summary>When it was issued.</summary>
    public DateTimeOffset IssuedAt { get; init; }
    /// <summary>Who issued it: an API key's fingerprint, <c>anonymous</c>, or <c>rule:{id}</c>.</summary>
    public string IssuedBy { get; init; } = "";
    /// <summary>After this the producer should not act on it.</summary>
    public DateTimeOffset ExpiresAt { get; init; }
    /// <summary>When a producer was first handed it.</summary>
    public DateTimeOffset? DeliveredAt { get; init; }
    /// <summary>How many times it was handed over (0 while pending; 2 or more when it came again because it was not acknowledged in time).</summary>
    public int Attempt { get; init; }
    /// <summary>When the producer acknowledged it.</summary>
    public DateTimeOffset? AcknowledgedAt { get; init; }
    /// <summary>The producer's answer.</summary>
    public CommandOutcome? Outcome { get; init; }
    /// <summary>The producer's note.</summary>
    public string? Note { get; init; }

    /// <summary>True while a producer may still act on it (pending or delivered).</summary>
    public bool IsOutstanding => State is CommandState.Pending or CommandState.Delivered;
}

/// <summary>What to issue with <see cref="SwitchboardClient.IssueCommandAsync"/>.</summary>
/// <param name="Type">What to do.</param>
/// <param name="Text">A message (required for <see cref="CommandType.Message"/>), or why.</param>
/// <param name="Data">A JSON object for the producer (at most 16 KiB).</param>
/// <param name="ExpiresIn">After this the command is no longer delivered (1 s to 1 day; server default 5 min).</param>
public sealed record NewCommand(CommandType Type, string? Text = null, JsonElement? Data = null, TimeSpan? ExpiresIn = null);

/// <summary>A session's commands in the order issued, read after the log position <paramref name="AsOfSeq"/>.</summary>
public sealed record CommandList(IReadOnlyList<SessionCommand> Commands, long AsOfSeq);

using Switchboard.Core.Hosting;

namespace Switchboard.Core.Writes;

/// <summary>What one hook event of a coding agent says about its session's state.</summary>
internal enum HookSignal
{
    /// <summary>The agent started (<c>SessionStart</c>, a sub-agent's start): idle until a prompt.</summary>
    Started,

    /// <summary>A prompt or a tool: working.</summary>
    Working,

    /// <summary>Blocked on a person: a permission request or a question.</summary>
    Waiting,

    /// <summary>The end of a turn (<c>Stop</c>): idle.</summary>
    Idle,

    /// <summary>The agent exited (<c>SessionEnd</c>, a sub-agent's stop): terminated with <see cref="ApplyHook.Reason"/>.</summary>
    End,

    /// <summary>An event that says nothing of the state (a model call, a compaction): the session was heard from.</summary>
    Heard,
}

/// <summary>
/// One hook event of an unmodified coding agent (docs/hooks.md), applied as one write: creates the session on first sight
/// (under <see cref="ParentId"/> for a sub-agent) with <c>accepts_commands</c> true, or turns <c>accepts_commands</c> true
/// on a session its telemetry made first, and sets the state the event says. Hooks own the state of a session that has
/// them: telemetry then adds usage but leaves its state alone. Issued by the server's hook receivers, never by a client.
/// A terminated session takes no more hook events (dropped, not refused).
/// </summary>
internal sealed record ApplyHook(string SessionId) : SessionWrite
{
    public HookSignal Signal { get; init; } = HookSignal.Heard;

    /// <summary>The session's activity after the event, when the event says one (null clears it); absent leaves it.</summary>
    public Optional<string?> Activity { get; init; }

    /// <summary>
    /// An end (<see cref="HookSignal.End"/>) the server applies later (its quiet monitor, after a grace for the agent's last
    /// telemetry): now it only clears the activity.
    /// </summary>
    public bool EndsLater { get; init; }

    /// <summary>Why the session ended (<see cref="HookSignal.End"/>).</summary>
    public string? Reason { get; init; }

    /// <summary>The name given to a session created by this write.</summary>
    public string? Name { get; init; }

    /// <summary>Labels given to a session created by this write (an existing session's labels stay as they are).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = Switchboard.Core.Sessions.Session.EmptyLabels;

    /// <summary>The session of the agent that started this one (a sub-agent); a session created by this write starts under it.</summary>
    public string? ParentId { get; init; }

    /// <summary>The ended session this one continues (an agent resumed after its end, <see cref="Switchboard.Core.Storage.TelemetryContinuation"/>); set by the store's unit of work.</summary>
    public string? Continues { get; init; }

    /// <summary>Where a continuation counts its telemetry's usage from (<see cref="Switchboard.Core.Sessions.Session.UsageFrom"/>); set with <see cref="Continues"/>.</summary>
    public string? UsageFrom { get; init; }

    /// <summary>The deepest level a session placed under its parent may be at (<c>Switchboard:Sessions:MaxTreeDepth</c>).</summary>
    public int MaxTreeDepth { get; init; } = SwitchboardDefaults.MaxTreeDepth;

    /// <summary>
    /// The agent asks a person in its terminal (a prompt notification). Unless an approval of the session is pending (its
    /// hook held, so the prompt is answerable from Switchboard), the activity says where: <see cref="TerminalActivity"/>.
    /// Decided in the write's transaction, where the pending approvals are counted (<see cref="ApprovalLedger.AsksInTerminal"/>).
    /// </summary>
    public bool AsksInTerminal { get; init; }

    /// <summary>The folder the agent works in, as its event says (<see cref="AsksInTerminal"/>).</summary>
    public string? Folder { get; init; }

    /// <summary>The session's label naming the machine its agent runs on.</summary>
    public const string HostLabel = "host";

    /// <summary>"Asks in its terminal on HOST in DIR", each part only when known, within the activity's limit.</summary>
    public static string TerminalActivity(string? host, string? folder)
    {
        var text = "Asks in its terminal" + (host is null ? "" : $" on {host}") + (folder is null ? "" : $" in {folder}");
        return text.Length <= Switchboard.Core.Sessions.SessionLimits.MaxActivityLength
            ? text
            : text[..(Switchboard.Core.Sessions.SessionLimits.MaxActivityLength - 1)] + "…";
    }
}

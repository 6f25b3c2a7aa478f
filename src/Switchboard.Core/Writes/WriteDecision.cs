using Switchboard.Core.Errors;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Writes;

/// <summary>The facts a store needs to make a write durable.</summary>
internal readonly record struct WriteContext(DateTimeOffset Now, long ActiveCount, bool FleetPaused)
{
    /// <summary>The parent a create names, as the transaction read it (null when it names none, or none exists).</summary>
    public Session? Parent { get; init; }
}

/// <summary>An event about to be appended; the store assigns its <c>seq</c>.</summary>
internal sealed record PendingEvent(string Type, string? SessionId, DateTimeOffset At, byte[] Data);

/// <summary>What <see cref="SessionTransitions"/> decided: refuse, or persist a session row and maybe append an event.</summary>
internal sealed record WriteDecision
{
    /// <summary>Why the write was refused; null when it was accepted.</summary>
    public SwitchboardError? Error { get; init; }

    /// <summary>The session after the write (null for fleet writes and refused ones).</summary>
    public Session? Session { get; init; }

    /// <summary>True when the session row must be written (a change, or only a renewed lease).</summary>
    public bool PersistSession { get; init; }

    /// <summary>True when the row is new.</summary>
    public bool IsNew { get; init; }

    /// <summary>The event to append; null when nothing a client can see changed.</summary>
    public PendingEvent? Event { get; init; }

    /// <summary>What the change adds to the subtree totals of each of the session's ancestors (zero for a root's change).</summary>
    public SubtreeTotals Delta { get; init; }

    /// <summary>How the number of active sessions changes: +1 on create, −1 on termination.</summary>
    public int ActiveDelta { get; init; }

    /// <summary>The new fleet pause flag, for fleet writes.</summary>
    public bool? FleetPaused { get; init; }

    /// <summary>The alert after an alert write, to persist with its event; null when nothing changed.</summary>
    public Switchboard.Core.Alerts.Alert? Alert { get; init; }

    /// <summary>A refusal.</summary>
    public static WriteDecision Refuse(SwitchboardError error) => new() { Error = error };

    /// <summary>Accepted, but nothing to persist.</summary>
    public static WriteDecision Unchanged(Session? session) => new() { Session = session };
}

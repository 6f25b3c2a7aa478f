using Switchboard.Core.Errors;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Writes;

/// <summary>The outcome of one write: an error, or the session after it and the event it appended (if any).</summary>
public sealed record WriteResult(SwitchboardError? Error, Session? Session, EventRecord? Event, bool? FleetPaused = null)
{
    /// <summary>True when the write was accepted.</summary>
    public bool Succeeded => Error is null;

    /// <summary>The alert after an alert write that changed it.</summary>
    public Switchboard.Core.Alerts.Alert? Alert { get; init; }

    /// <summary>The command after a command write (or the one an alert rule's action issued with its alert).</summary>
    internal Switchboard.Core.Commands.Command? Command { get; init; }

    /// <summary>The approval after an approval write (the one it targets when it changed nothing).</summary>
    internal Switchboard.Core.Approvals.Approval? Approval { get; init; }

    /// <summary>
    /// For a producer's own write (<see cref="SessionWrite"/> with commands delivered) and a long-poll's hand-over:
    /// the commands this write handed over, oldest first, each now delivered with its attempt. Null for every other write.
    /// </summary>
    internal IReadOnlyList<Switchboard.Core.Commands.Command>? Commands { get; init; }

    /// <summary>
    /// For a cascading terminate whose subtree is larger than one commit ends (<see cref="CascadePlan"/>): this commit
    /// ended part of it, and the same write must be submitted again until a result without this flag.
    /// </summary>
    internal bool Incomplete { get; init; }

    /// <summary>
    /// The write was refused because its session (or its parent) exists outside the key's labels scope: to that key it
    /// does not exist. The hook and OTLP receivers then answer as for an id nobody has seen (docs/security.md).
    /// </summary>
    internal bool OutsideScope { get; init; }

    /// <summary>For a session stream write (<see cref="WriteSessionStream"/>) that reached its stream: what became of it.</summary>
    internal Switchboard.Core.Streams.StreamOutcome? Stream { get; init; }

    /// <summary>For an alert raised by a rule with an action: why the action's command was not issued (the alert stands).</summary>
    internal SwitchboardError? ActionSkipped { get; init; }
}

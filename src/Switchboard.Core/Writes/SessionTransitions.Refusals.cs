using Switchboard.Core.Errors;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Writes;

/// <summary>Why a write about a session is refused: no such session, a stale version, a transition the state machine forbids.</summary>
internal static partial class SessionTransitions
{
    private static WriteDecision? Precheck(string id, Session? current, long? expectedVersion)
    {
        if (current is null)
        {
            return WriteDecision.Refuse(SwitchboardError.SessionNotFound(id));
        }

        if (expectedVersion is { } expected && expected != current.Version)
        {
            return WriteDecision.Refuse(SwitchboardError.VersionConflict("session", id, current.Version, expected));
        }

        return null;
    }

    private static SwitchboardError ForbiddenTransition(Session current, SessionState to)
    {
        var from = current.State.ToWire();
        var why = current.State switch
        {
            SessionState.Terminated => "'terminated' is final",
            SessionState.Terminating => "'terminating' may only go to 'terminated'",
            _ => "no session returns to 'initializing'",
        };
        return new(ErrorKind.Conflict, "invalid_transition",
            $"Session '{current.Id}' cannot change from '{from}' to '{to.ToWire()}': {why}.", "state");
    }

    private static SwitchboardError TerminatedIsFinal(Session current, string verb) =>
        new(ErrorKind.Conflict, "session_terminated",
            $"Session '{current.Id}' is terminated and cannot be {verb}; 'terminated' is final. Create a new session instead.");
}

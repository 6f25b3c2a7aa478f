namespace Switchboard.Core.Sessions;

/// <summary>
/// The transition rules: nothing leaves <c>terminated</c>, <c>terminating</c> only goes on to <c>terminated</c>, and no
/// session goes back to <c>initializing</c>; every other change between states is allowed.
/// </summary>
internal static class SessionStateMachine
{
    /// <summary>
    /// True when <paramref name="from"/> may change to <paramref name="to"/>. Setting the current
    /// state again is not a transition and is always allowed (it changes nothing).
    /// </summary>
    public static bool IsAllowed(SessionState from, SessionState to)
    {
        if (from == to)
        {
            return true;
        }

        return from switch
        {
            SessionState.Terminated => false,
            SessionState.Terminating => to == SessionState.Terminated,
            _ => to != SessionState.Initializing,
        };
    }

    /// <summary>States a session may be created in.</summary>
    public static bool IsValidInitial(SessionState state) =>
        state is not (SessionState.Terminating or SessionState.Terminated);
}

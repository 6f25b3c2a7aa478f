namespace Switchboard.Client;

/// <summary>
/// The lifecycle state of a session. A server newer than this client may report a state it does not know: that reads
/// as <see cref="Unknown"/>, and <see cref="Session.StateName"/> keeps its wire name.
/// </summary>
public enum SessionState
{
    /// <summary>Created, not yet doing work.</summary>
    Initializing,
    /// <summary>Alive and waiting for work.</summary>
    Idle,
    /// <summary>Doing work.</summary>
    Working,
    /// <summary>Paused by its producer or an operator.</summary>
    Paused,
    /// <summary>Failed; <see cref="Session.ErrorMessage"/> says why.</summary>
    Error,
    /// <summary>Shutting down; may only go to <see cref="Terminated"/>.</summary>
    Terminating,
    /// <summary>Final.</summary>
    Terminated,
    /// <summary>Blocked on a person: a permission, a question, an approval.</summary>
    Waiting,
    /// <summary>
    /// A state this client does not know (added to the server after it was built): active, like every state but
    /// <see cref="Terminated"/>. It has no wire name of its own, so it cannot be sent; the name the server used is in
    /// <see cref="Session.StateName"/>. Outside the numbering of the others, so a state added later moves nothing.
    /// </summary>
    Unknown = -1,
}

/// <summary>Wire names of <see cref="SessionState"/> values.</summary>
public static class SessionStates
{
    /// <summary>Every state this client knows, in the order the server numbers them (<see cref="SessionState.Unknown"/> is not one).</summary>
    public static IReadOnlyList<SessionState> All { get; } = [.. Enum.GetValues<SessionState>().Where(s => s != SessionState.Unknown)];

    /// <summary>The wire name, e.g. <c>working</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="SessionState.Unknown"/>, which has none.</exception>
    public static string ToWire(this SessionState state) => state == SessionState.Unknown
        ? throw new ArgumentOutOfRangeException(nameof(state), state,
            "SessionState.Unknown stands for a state this client does not know and has no wire name; Session.StateName has the name the server sent.")
        : Switchboard.Core.Sessions.WireStateCodec<SessionState>.Name(state);

    /// <summary>Parses a wire name (case-sensitive, as on the wire); false for a name this client does not know.</summary>
    public static bool TryParse(string? value, out SessionState state) =>
        Switchboard.Core.Sessions.WireStateCodec<SessionState>.TryParse(value, out state);

    /// <summary>True for every state except <see cref="SessionState.Terminated"/> (a state this client does not know included).</summary>
    public static bool IsActive(this SessionState state) => state != SessionState.Terminated;

    /// <summary>A state the server sent: one this client knows, or <see cref="SessionState.Unknown"/>.</summary>
    internal static SessionState FromWire(string? value) => TryParse(value, out var state) ? state : SessionState.Unknown;
}

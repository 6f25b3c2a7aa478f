namespace Switchboard.Client;

/// <summary>The lifecycle state of a session.</summary>
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
}

/// <summary>Wire names of <see cref="SessionState"/> values.</summary>
public static class SessionStates
{
    /// <summary>Every state, in lifecycle order.</summary>
    public static IReadOnlyList<SessionState> All { get; } = Enum.GetValues<SessionState>();

    /// <summary>The wire name, e.g. <c>working</c>.</summary>
    public static string ToWire(this SessionState state) => Switchboard.Sessions.SessionWire.StateCodec<SessionState>.Name(state);

    /// <summary>Parses a wire name (case-sensitive, as on the wire).</summary>
    public static bool TryParse(string? value, out SessionState state) =>
        Switchboard.Sessions.SessionWire.StateCodec<SessionState>.TryParse(value, out state);

    /// <summary>True for every state except <see cref="SessionState.Terminated"/>.</summary>
    public static bool IsActive(this SessionState state) => state != SessionState.Terminated;

    internal static SessionState Parse(string? value) =>
        TryParse(value, out var state) ? state : throw new FormatException($"Unknown session state '{value}'.");
}

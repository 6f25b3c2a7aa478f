namespace Switchboard.Core.Sessions;

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
    /// <summary>Failed; <c>error_message</c> says why.</summary>
    Error,
    /// <summary>Shutting down; may only go to <see cref="Terminated"/>.</summary>
    Terminating,
    /// <summary>Final.</summary>
    Terminated,
    /// <summary>Blocked on a person: a permission, a question, an approval. Last, so no earlier value moves.</summary>
    Waiting,
}

/// <summary>Wire names of <see cref="SessionState"/> values.</summary>
public static class SessionStates
{
    private static readonly string[] Names = SessionWire.StateNames;

    /// <summary>All states, in declaration order (a state added later comes last, whatever its place in the lifecycle).</summary>
    public static IReadOnlyList<SessionState> All { get; } = Enum.GetValues<SessionState>();

    /// <summary>The snake_case wire name of a state.</summary>
    public static string ToWire(this SessionState state) => WireStateCodec<SessionState>.Name(state);

    /// <summary>Parses a wire name; returns false for anything else (case-sensitive).</summary>
    public static bool TryParse(string? value, out SessionState state) => WireStateCodec<SessionState>.TryParse(value, out state);

    /// <summary>The accepted wire names, for error messages.</summary>
    public static string WireList { get; } = string.Join(", ", Names);

    /// <summary>Active means every state except <see cref="SessionState.Terminated"/>.</summary>
    public static bool IsActive(this SessionState state) => state != SessionState.Terminated;
}

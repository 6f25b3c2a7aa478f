namespace Switchboard.Client;

/// <summary>An RFC 9457 problem as Switchboard reports it: what was wrong, a stable code and the offending field.</summary>
public sealed record SwitchboardProblem
{
    /// <summary>HTTP status.</summary>
    public int Status { get; init; }

    /// <summary>Stable machine-readable code, e.g. <c>invalid_transition</c>, <c>version_conflict</c>, <c>session_not_found</c>.</summary>
    public required string Code { get; init; }

    /// <summary>What was wrong and how to fix it.</summary>
    public required string Detail { get; init; }

    /// <summary>Short title.</summary>
    public string? Title { get; init; }

    /// <summary>The problem type URI.</summary>
    public string? Type { get; init; }

    /// <summary>The field at fault, when there is one.</summary>
    public string? Field { get; init; }

    /// <summary>The request path, when given.</summary>
    public string? Instance { get; init; }
}

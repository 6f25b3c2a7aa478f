namespace Switchboard.Client;

/// <summary>The server refused a request; <see cref="Problem"/> says why.</summary>
public sealed class SwitchboardApiException : Exception
{
    /// <summary>Wraps a problem.</summary>
    public SwitchboardApiException(SwitchboardProblem problem, TimeSpan? retryAfter = null)
        : base($"{problem.Status} {problem.Code}: {problem.Detail}")
    {
        Problem = problem;
        RetryAfter = retryAfter;
    }

    /// <summary>The problem+json body.</summary>
    public SwitchboardProblem Problem { get; }

    /// <summary>HTTP status.</summary>
    public int StatusCode => Problem.Status;

    /// <summary>Stable code, e.g. <c>invalid_transition</c>.</summary>
    public string Code => Problem.Code;

    /// <summary>The field at fault, or null.</summary>
    public string? Field => Problem.Field;

    /// <summary>The server's Retry-After, for 503 and 429.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>True when an earlier attempt of this request failed in a way that may have applied it.</summary>
    internal bool AfterUncertainAttempt { get; init; }
}

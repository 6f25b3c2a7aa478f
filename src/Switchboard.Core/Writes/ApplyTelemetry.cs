namespace Switchboard.Writes;

/// <summary>What one observation says about its session's state.</summary>
internal enum TelemetrySignal
{
    /// <summary>A prompt, a model call, a tool: the agent is working.</summary>
    Activity,

    /// <summary>A run finished: the agent waits for its user.</summary>
    Idle,

    /// <summary>An error event or an error span status.</summary>
    Error,

    /// <summary>An explicit end of the session.</summary>
    End,
}

/// <summary>
/// One record of telemetry as it bears on a session: when, what it signals, the usage it carries, and its identity for
/// deduplication (null when repeating it changes nothing, such as an activity-only metric point).
/// </summary>
internal readonly record struct TelemetryObservation(string? Key, DateTimeOffset At, TelemetrySignal Signal,
    long InputTokens = 0, long OutputTokens = 0, decimal CostUsd = 0, string? ErrorMessage = null);

/// <summary>
/// Everything one OTLP request observed about one session, applied as one write (so one event at most): creates the
/// session on first sight, merges labels, adds usage and sets the state of the latest observation. Issued by the server's
/// OTLP receivers, never by a client. The store drops observations whose key it has already seen, in the same
/// transaction (<see cref="Storage.TelemetryDedupe"/>).
/// </summary>
internal sealed record ApplyTelemetry(string SessionId) : SessionWrite
{
    /// <summary>The name given to a session created by this write.</summary>
    public string? Name { get; init; }

    /// <summary>Labels set on the session (other labels stay).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = Sessions.Session.EmptyLabels;

    /// <summary>The observations, in any order.</summary>
    public IReadOnlyList<TelemetryObservation> Observations { get; init; } = [];
}

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
/// Where an observation's usage comes from. A source may report the same usage both ways (Claude Code: metrics and
/// <c>api_request</c> events), so each session counts one: the first that brought it usage (its <c>usage_from</c> label).
/// </summary>
internal enum UsageSource
{
    /// <summary>The observation carries no usage.</summary>
    None,

    /// <summary>Records that carry their own usage: log events and GenAI spans.</summary>
    Events,

    /// <summary>Metric points (token and cost counters).</summary>
    Metrics,
}

/// <summary>Which usage counter a metric stream feeds.</summary>
internal enum UsageSlot
{
    /// <summary>None: the stream only says the agent was active.</summary>
    None,
    Input,
    Output,
    Cost,
}

/// <summary>
/// A point of a cumulative metric stream: its running total since <see cref="Start"/> (Unix ns). The store turns it into
/// the increment since the stream's previous point (<see cref="Storage.TelemetryStreams"/>) before the write applies it.
/// </summary>
internal sealed record CumulativePoint(string Stream, ulong Start, ulong End, decimal Total, UsageSlot Slot);

/// <summary>
/// One record of telemetry as it bears on a session: when, what it signals, the usage it carries and where that comes
/// from, and its identity for deduplication (null when repeating it changes nothing, such as an activity-only metric
/// point). A cumulative metric point carries its running total in <see cref="Cumulative"/> until the store resolves it.
/// </summary>
internal readonly record struct TelemetryObservation(string? Key, DateTimeOffset At, TelemetrySignal Signal,
    long InputTokens = 0, long OutputTokens = 0, decimal CostUsd = 0, string? ErrorMessage = null,
    UsageSource Usage = UsageSource.None, CumulativePoint? Cumulative = null);

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

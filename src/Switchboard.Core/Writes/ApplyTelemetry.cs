using Switchboard.Core.Hosting;

namespace Switchboard.Core.Writes;

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
/// <c>api_request</c> events), so each session counts one: the first that brought it usage (<see cref="Switchboard.Core.Sessions.Session.UsageFrom"/>,
/// which only the server sets).
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
/// the increment since the stream's previous point (<see cref="Switchboard.Core.Storage.MetricSeries"/>) before the write applies it.
/// </summary>
internal sealed record CumulativePoint(string Stream, ulong Start, ulong End, decimal Total, UsageSlot Slot)
{
    /// <summary>
    /// The id the stream had before stream ids included their resource and scope: its state is the stream's last point
    /// while the stream has none under <see cref="Stream"/> (a node upgraded mid-stream), so the totals already counted
    /// are not counted again. Such states are purged with the others; this can go once no node runs the older code.
    /// </summary>
    public string? Previous { get; init; }
}

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
/// transaction (<see cref="Switchboard.Core.Storage.TelemetryDedupe"/>).
/// </summary>
internal sealed record ApplyTelemetry(string SessionId) : SessionWrite
{
    /// <summary>The name given to a session created by this write.</summary>
    public string? Name { get; init; }

    /// <summary>Labels set on the session (other labels stay).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = Switchboard.Core.Sessions.Session.EmptyLabels;

    /// <summary>The observations, in any order.</summary>
    public IReadOnlyList<TelemetryObservation> Observations { get; init; } = [];

    /// <summary>How the request's spans tie this session to other sessions of their traces (<see cref="SpanLinks"/>).</summary>
    public SpanLinks Links { get; init; } = SpanLinks.None;

    /// <summary>The deepest level a session placed under its parent may be at (<c>Switchboard:Sessions:MaxTreeDepth</c>).</summary>
    public int MaxTreeDepth { get; init; } = SwitchboardDefaults.MaxTreeDepth;

    /// <summary>
    /// The ended session this write continues in <see cref="SessionWrite.SessionId"/> (<see cref="TelemetryContinuation"/>);
    /// set by the unit of work, never by a receiver.
    /// </summary>
    public string? Continues { get; init; }

    /// <summary>The usage source of the session it continues, kept by the continuation.</summary>
    public string? UsageFrom { get; init; }
}

/// <summary>
/// What one request's spans say about where their session sits in an agent tree. Spans arrive when they end, so a
/// sub-agent's spans usually come before the span of its parent agent that started it: the store remembers which session
/// waits for which span (<see cref="Switchboard.Core.Storage.TelemetryLinks"/>), and places the session under the parent's once that span
/// arrives, in whichever order and on whichever node.
/// </summary>
/// <param name="Spans">This session's spans that may start another agent's run (<c>invoke_agent</c>, <c>create_agent</c>, <c>execute_tool</c>), as span keys.</param>
/// <param name="Parents">The spans outside the request that this session's spans have as parents, as span keys.</param>
/// <param name="ParentSessions">Other sessions whose spans in the same request are parents of this session's spans.</param>
internal sealed record SpanLinks(IReadOnlyList<string> Spans, IReadOnlyList<string> Parents, IReadOnlyList<string> ParentSessions)
{
    public static readonly SpanLinks None = new([], [], []);

    /// <summary>A span's key: its trace id and span id, 48 lowercase hex digits.</summary>
    public static string Key(ReadOnlySpan<byte> traceId, ReadOnlySpan<byte> spanId)
    {
        Span<char> chars = stackalloc char[48];
        Convert.TryToHexStringLower(traceId, chars, out _);
        Convert.TryToHexStringLower(spanId, chars[32..], out _);
        return new string(chars);
    }
}

/// <summary>
/// Places a root session made from telemetry under the session whose span started it (<see cref="SpanLinks"/>), with its
/// whole subtree. Appended by the store to the batch that found the link; never sent by a client, whose sessions get their
/// parent at create.
/// </summary>
internal sealed record AdoptSession(string SessionId, string ParentId) : SessionWrite
{
    /// <summary>The deepest level a moved session may end up at.</summary>
    public int MaxTreeDepth { get; init; } = SwitchboardDefaults.MaxTreeDepth;
}

namespace Switchboard.Client;

/// <summary>Settings of a <see cref="LiveSessionView"/>.</summary>
public sealed record LiveSessionViewOptions
{
    /// <summary>Keep only sessions that carry all these labels. The summary stays fleet-wide.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>Active sessions in the join snapshot (at most 1000); the rest are fetched page by page. Default 1000.</summary>
    public int SnapshotLimit { get; init; } = 1000;

    /// <summary>Page size when fetching the sessions beyond the snapshot. Default 1000.</summary>
    public int PageSize { get; init; } = 1000;

    /// <summary>Connection settings (heartbeats, backoff); its labels and snapshot limit are taken from this object.</summary>
    public SubscribeOptions Subscription { get; init; } = new();
}

/// <summary>What a change to a <see cref="LiveSessionView"/> was.</summary>
public enum LiveViewChangeKind
{
    /// <summary>The view was rebuilt from a snapshot (first join, or a resume that could not be served).</summary>
    Reset,
    /// <summary>A reconnect resumed exactly; missed events follow.</summary>
    Resumed,
    /// <summary>A session was added or changed.</summary>
    SessionChanged,
    /// <summary>A session was removed (terminated, or no longer matches the label filter).</summary>
    SessionRemoved,
    /// <summary>The summary changed.</summary>
    Summary,
    /// <summary>The fleet was paused or resumed.</summary>
    Fleet,
    /// <summary>An event that changed nothing here (e.g. an update already reflected).</summary>
    None,
}

/// <summary>One change to a <see cref="LiveSessionView"/>, raised after it is applied.</summary>
public sealed class LiveViewChangedEventArgs(LiveViewChangeKind kind, StreamItem item, string? sessionId, Session? session) : EventArgs
{
    /// <summary>What changed.</summary>
    public LiveViewChangeKind Kind { get; } = kind;

    /// <summary>The stream item that caused it (every item raises exactly one change).</summary>
    public StreamItem Item { get; } = item;

    /// <summary>The session concerned, if any.</summary>
    public string? SessionId { get; } = sessionId;

    /// <summary>The session after the change; null when removed or not a session change.</summary>
    public Session? Session { get; } = session;
}

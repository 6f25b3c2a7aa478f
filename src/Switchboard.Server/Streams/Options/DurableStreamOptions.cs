using Switchboard.Core.Hosting;

namespace Switchboard.Server.Streams.Options;

/// <summary>Durable Streams at <c>/v1/stream/{path}</c> (<c>Switchboard:Streams</c>). See docs/streams.md.</summary>
public sealed class DurableStreamOptions
{
    /// <summary>
    /// The largest append (a POST body, or a PUT's initial content): larger ones get 413 and nothing is appended. Its own
    /// limit, apart from the API's <see cref="HttpApiOptions.MaxBodyBytes"/>. Default 1 MiB.
    /// </summary>
    public long MaxAppendBytes { get; set; } = SwitchboardDefaults.StreamMaxAppendBytes;

    /// <summary>
    /// How long a long-poll read (<c>live=long-poll</c>) waits for data before answering 204. Idle readers ask again after
    /// each; raise it for many idle readers. Default 3 s.
    /// </summary>
    public TimeSpan LongPollTimeout { get; set; } = SwitchboardDefaults.StreamLongPollTimeout;

    /// <summary>An SSE read (<c>live=sse</c>) is closed after this long, so clients reconnect (and CDNs can collapse them). Default 60 s.</summary>
    public TimeSpan SseReconnectAfter { get; set; } = SwitchboardDefaults.StreamSseReconnectAfter;

    /// <summary>Live streams one API key may have (with auth off: one remote address); past it a create gets 429. Default 10,000.</summary>
    public int MaxStreamsPerKey { get; set; } = SwitchboardDefaults.StreamMaxStreamsPerKey;

    /// <summary>Live streams one session may have (<c>/v1/stream/sessions/{id}/{name}</c>, closed ones until they expire); past it a create gets 429. Default 64.</summary>
    public int MaxStreamsPerSession { get; set; } = SwitchboardDefaults.StreamMaxStreamsPerSession;

    /// <summary>Long-poll and SSE reads that may wait on this node at once; past it a new one gets 503. Default 10,000.</summary>
    public int MaxLiveReaders { get; set; } = SwitchboardDefaults.StreamMaxLiveReaders;

    /// <summary>How often expired streams are removed and deleted streams' data reclaimed. An expired stream answers 404 at once either way. Default 1 s.</summary>
    public TimeSpan SweepInterval { get; set; } = SwitchboardDefaults.StreamSweepInterval;

    /// <summary>
    /// How long a session's streams (<c>/v1/stream/sessions/{id}/{name}</c>) stay readable after the session ends: they
    /// are closed in the commit that ends it and expire this long after (sooner if their own TTL or expiry says so). Default 7 days.
    /// </summary>
    public TimeSpan RetainAfterEnd { get; set; } = SwitchboardDefaults.StreamRetainAfterEnd;
}

using Microsoft.Extensions.Logging;
using Switchboard.Core.Streams;
using Switchboard.Server.Options;
using Switchboard.Server.Streams.Options;
using Switchboard.Server.Waiters;

namespace Switchboard.Server.Streams;

/// <summary>
/// Wakes the long-poll and SSE readers of durable streams when their stream moves. It is the store feed's sink
/// (<see cref="IStreamFeed"/>): this node's commits and, on PostgreSQL, every other node's notifications arrive here as
/// "stream X is now at tail T"; the readers of X wake and read the rows themselves, so no reader polls the database.
/// Waiters are bounded (<see cref="DurableStreamOptions.MaxLiveReaders"/>). An advance no newer than the last one seen
/// for a stream (this node's own commit echoed back by PostgreSQL) wakes nobody; a resync (a lost listener connection)
/// wakes everyone. When the node stops, every waiter is woken and new ones are refused. It is a
/// <see cref="WaiterSet{TKey, TNews}"/> keyed by stream id, an advance its news.
/// </summary>
internal sealed class StreamWatch : IStreamSink
{
    /// <summary>
    /// The id topic reads (<c>/v1/stream/topics/…</c>) wait under: they count against the bound and end when the node
    /// stops, but no stream advance names it (stream ids are positive); they wake when the event log moves.
    /// </summary>
    public const long TopicReaders = 0;

    private readonly ILogger _logger;
    private readonly WaiterSet<long, StreamAdvance> _waiters;

    public StreamWatch(SwitchboardOptions options, TimeProvider time, ILogger<StreamWatch> logger)
    {
        _logger = logger;
        var max = options.Streams.MaxLiveReaders;
        _waiters = new WaiterSet<long, StreamAdvance>(new WaiterLimits(max, () => StreamLog.ReadersFull(logger, max)), time, Moves);
    }

    /// <summary>Readers waiting now (what <see cref="DurableStreamOptions.MaxLiveReaders"/> bounds).</summary>
    public int Waiters => _waiters.Count;

    /// <summary>True once the node began to stop: live reads end instead of waiting.</summary>
    public bool IsStopping => _waiters.IsStopping;

    /// <summary>A waiter for <paramref name="streamId"/>'s advances, or null when the bound is reached or the node is stopping.</summary>
    public Waiter<long>? TryWatch(long streamId) => _waiters.TryWatch(streamId, "", out _);

    /// <inheritdoc />
    public void OnAdvanced(IReadOnlyList<StreamAdvance> advances) => _waiters.Wake(advances.Select(a => (a.StreamId, a)));

    /// <inheritdoc />
    public void OnResync(string reason)
    {
        StreamLog.Resync(_logger, reason);
        _waiters.WakeAll(stop: false);
    }

    /// <summary>The node is stopping: every live read ends now, and no new one waits.</summary>
    public void Stop() => _waiters.WakeAll(stop: true);

    /// <summary>True when <paramref name="advance"/> says more than <paramref name="last"/> did (an echo of this node's own commit does not).</summary>
    private static bool Moves(StreamAdvance advance, StreamAdvance last) =>
        advance.Tail > last.Tail || (advance.Closed && !last.Closed) || (advance.Ended && !last.Ended);
}

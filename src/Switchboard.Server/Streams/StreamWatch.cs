using Microsoft.Extensions.Logging;
using Switchboard.Core.Streams;
using Switchboard.Server.Options;

namespace Switchboard.Server.Streams;

/// <summary>
/// Wakes the long-poll and SSE readers of durable streams when their stream moves. It is the store feed's sink
/// (<see cref="IStreamFeed"/>): this node's commits and, on PostgreSQL, every other node's notifications arrive here as
/// "stream X is now at tail T"; the readers of X wake and read the rows themselves, so no reader polls the database.
/// Waiters are bounded (<see cref="DurableStreamOptions.MaxLiveReaders"/>). An advance no newer than the last one seen
/// for a stream (this node's own commit echoed back by PostgreSQL) wakes nobody; a resync (a lost listener connection)
/// wakes everyone. When the node stops, every waiter is woken and new ones are refused.
/// </summary>
internal sealed class StreamWatch : IStreamSink
{
    /// <summary>
    /// The id topic reads (<c>/v1/stream/topics/…</c>) wait under: they count against the bound and end when the node
    /// stops, but no stream advance names it (stream ids are positive); they wake when the event log moves.
    /// </summary>
    public const long TopicReaders = 0;

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _max;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, Watched> _streams = []; // under _gate
    private int _count; // under _gate
    private bool _refusing; // under _gate: WaitersFull logged until the count drops
    private bool _stopped; // under _gate

    public StreamWatch(SwitchboardOptions options, TimeProvider time, ILogger<StreamWatch> logger)
    {
        _time = time;
        _logger = logger;
        _max = options.Streams.MaxLiveReaders;
    }

    /// <summary>Readers waiting now (what <see cref="DurableStreamOptions.MaxLiveReaders"/> bounds).</summary>
    public int Waiters
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>True once the node began to stop: live reads end instead of waiting.</summary>
    public bool IsStopping
    {
        get
        {
            lock (_gate)
            {
                return _stopped;
            }
        }
    }

    /// <summary>A waiter for <paramref name="streamId"/>'s advances, or null when the bound is reached or the node is stopping.</summary>
    public StreamWaiter? TryWatch(long streamId)
    {
        var waiter = new StreamWaiter(this, streamId, _time);
        lock (_gate)
        {
            if (_stopped || _count >= _max)
            {
                if (!_stopped && !_refusing)
                {
                    _refusing = true;
                    StreamLog.ReadersFull(_logger, _max);
                }

                return null;
            }

            if (!_streams.TryGetValue(streamId, out var watched))
            {
                watched = new Watched();
                _streams[streamId] = watched;
            }

            watched.Waiters.Add(waiter);
            _count++;
        }

        return waiter;
    }

    internal void Remove(StreamWaiter waiter)
    {
        lock (_gate)
        {
            if (_streams.TryGetValue(waiter.StreamId, out var watched) && watched.Waiters.Remove(waiter))
            {
                _count--;
                if (watched.Waiters.Count == 0)
                {
                    _streams.Remove(waiter.StreamId);
                }

                if (_count < _max / 2)
                {
                    _refusing = false;
                }
            }
        }
    }

    /// <inheritdoc />
    public void OnAdvanced(IReadOnlyList<StreamAdvance> advances)
    {
        List<StreamWaiter>? woken = null;
        lock (_gate)
        {
            foreach (var advance in advances)
            {
                if (_streams.TryGetValue(advance.StreamId, out var watched) && watched.Moves(advance))
                {
                    (woken ??= []).AddRange(watched.Waiters);
                }
            }
        }

        // Outside the lock; each signal's continuation runs asynchronously.
        foreach (var waiter in woken ?? [])
        {
            waiter.Signal();
        }
    }

    /// <inheritdoc />
    public void OnResync(string reason)
    {
        StreamLog.Resync(_logger, reason);
        WakeAll(stop: false);
    }

    /// <summary>The node is stopping: every live read ends now, and no new one waits.</summary>
    public void Stop() => WakeAll(stop: true);

    private void WakeAll(bool stop)
    {
        StreamWaiter[] waiting;
        lock (_gate)
        {
            _stopped |= stop;
            waiting = [.. _streams.Values.SelectMany(w => w.Waiters)];
            foreach (var watched in _streams.Values)
            {
                watched.Forget();
            }
        }

        foreach (var waiter in waiting)
        {
            waiter.Signal();
        }
    }

    /// <summary>The waiters of one stream and the newest position an advance reported for it.</summary>
    private sealed class Watched
    {
        private StreamAdvance? _last;

        public List<StreamWaiter> Waiters { get; } = [];

        /// <summary>True when <paramref name="advance"/> says more than the last one did (and remembers it).</summary>
        public bool Moves(StreamAdvance advance)
        {
            if (_last is { } last && advance.Tail <= last.Tail && (!advance.Closed || last.Closed) && (!advance.Ended || last.Ended))
            {
                return false;
            }

            _last = advance;
            return true;
        }

        public void Forget() => _last = null;
    }
}

using System.Text;
using BenchmarkDotNet.Attributes;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Server.Live;
using Switchboard.Server.Live.Fanout;
using Switchboard.Server.Outbound;
using Switchboard.Server.Phoenix;

namespace Switchboard.Benchmarks;

/// <summary>
/// One committed <c>session_updated</c> event (about 220 bytes of envelope) through the real
/// <see cref="FanoutDispatcher"/> (the live loop's fan-out) to N live <c>sessions</c> subscribers, each with its own <see cref="SendQueue"/>,
/// then every signalled queue drained as a connection drains it. Allocations per operation must not grow with N:
/// the envelope and frame are encoded once and every subscriber gets a reference.
/// </summary>
public class BroadcastBenchmark
{
    private readonly List<DrainingConsumer> _ready = [];
    private FanoutDispatcher _dispatcher = null!;
    private readonly List<SendQueue> _wake = [];
    private readonly FanoutPacer _pacer = new(TimeProvider.System);
    private Session _session = null!;
    private ReadOnlyMemory<byte> _data;
    private long _seq;

    [Params(1, 100, 10_000)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        _session = new Session { Id = "bench-1", State = SessionState.Working, CreatedAt = now, UpdatedAt = now, Version = 1, CreatedSeq = 1 };
        var projection = new SessionProjection();
        projection.Load(new StoreState("5b1e0c9a7d3f2e41", 1, false, [_session],
            new SessionTotals(new Dictionary<SessionState, long> { [SessionState.Working] = 1 }, 0, 0, 0)));
        var topics = new TopicRegistry();
        TopicRoute.TryParse(TopicRoute.SessionsTopic, out var sessions);
        _dispatcher = new FanoutDispatcher(projection, topics, _pacer, new UsageFanout([]), new OpenRequestsHandler(projection), _wake);
        for (var i = 0; i < Subscribers; i++)
        {
            var consumer = new DrainingConsumer(_ready);
            consumer.Queue = new SendQueue(consumer, 8192, 8 * 1024 * 1024);
            var subscription = new Subscription(consumer.Queue, sessions, null, isScoped: false, joinRef: null);
            subscription.GoLive();
            topics.Add(subscription);
        }

        _seq = 1;
        _data = Encoding.UTF8.GetBytes("""{"changes":{"metadata":{"bx":123456},"updated_at":"2026-05-01T12:00:00.123Z"},"version":123456}""");
    }

    [Benchmark]
    public int Broadcast()
    {
        var e = new EventRecord(++_seq, EventTypes.SessionUpdated, _session.Id, _session.UpdatedAt, _data) { Session = _session };
        // What one pass of the live loop does for one event: fan it out, then wake each connection once.
        _dispatcher.Dispatch(e);
        _pacer.EndChunk();
        foreach (var queue in _wake)
        {
            queue.Wake();
        }

        _wake.Clear();

        var drained = _ready.Count;
        foreach (var consumer in _ready)
        {
            consumer.Drain();
        }

        _ready.Clear();
        return drained;
    }
}

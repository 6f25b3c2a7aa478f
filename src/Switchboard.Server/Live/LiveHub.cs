using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Events;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Server.Ingest;
using Switchboard.Server.Options;

namespace Switchboard.Server.Live;

/// <summary>
/// The live core as the rest of the server sees it. One loop (<see cref="LiveLoop"/>) owns all live state — the
/// projection of the log head, the topic registry and its subscriptions, presence, usage, the summary schedule, the
/// read-your-writes waiters — and hands each message to the handler of its concern. This class only turns calls into
/// messages for its inbox and reads what the loop publishes; it holds no live state itself. Nothing else touches that
/// state, and the loop never calls out into a caller's code (replies complete asynchronously, connections are only
/// handed frames), so no callback can re-enter it.
/// <para>
/// It is also the node's admission control, through its <see cref="AdmissionGate"/>: events the store committed but the
/// loop has not fanned out are bounded in number and in age, and writers wait (<see cref="IWriteThrottle"/>) instead of
/// the server buffering without bound.
/// </para>
/// </summary>
internal sealed partial class LiveHub : IEventSink, IWriteThrottle, IAsyncDisposable
{
    private readonly LiveInbox _inbox;
    private readonly LiveState _state;
    private readonly LiveLoop _loop;
    private readonly AdmissionGate _admission;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public LiveHub(ISessionStore store, SocketOptions options, TimeProvider time, ILogger<LiveHub> logger, IHostApplicationLifetime? lifetime = null,
        SwitchboardOptions? switchboard = null, BackgroundLoops? loops = null, IWebhookStatusSource? webhookStatus = null)
    {
        _time = time;
        _logger = logger;
        _inbox = new LiveInbox(options.MaxQueuedRequests);
        _admission = new AdmissionGate(options, time, logger);
        _state = new LiveState(options, time, logger) { Loops = loops };
        _loop = new LiveLoop(_state, _inbox, _admission, store, switchboard, lifetime, webhookStatus);
    }

    /// <summary>The log position the loop has applied and fanned out.</summary>
    public long HeadSeq => _state.Published.HeadSeq;

    /// <summary>The log's epoch; fixed for the life of the database.</summary>
    public string Epoch => _state.Published.Epoch;

    public LiveHealth Health => _state.Published.Health;

    public LiveStats Stats => _state.Published.Stats;

    /// <summary>Messages waiting in the loop's inbox, commits included (for the <c>switchboard.live.inbox</c> gauge).</summary>
    public int InboxDepth => _inbox.Depth;

    /// <summary>Committed events not yet fanned out.</summary>
    public long PendingEvents => _admission.Pending;

    /// <summary>When the loop last made progress (dispatched, or had nothing to dispatch), as a <see cref="TimeProvider.GetTimestamp"/> of the injected clock.</summary>
    public long LastProgress => _state.Published.LastProgress;

    /// <summary>Changes each time the loop applied new events or rebuilt its state (published, read by anyone).</summary>
    public long Generation => _state.Published.Generation;

    /// <inheritdoc cref="LivePublished.EventDispatched" />
    public event Action<int, TimeSpan>? EventDispatched
    {
        add => _state.Published.EventDispatched += value;
        remove => _state.Published.EventDispatched -= value;
    }

    /// <summary>The loop's routes, for tests.</summary>
    internal MessageRoutes Routes => _loop.Routes;

    /// <summary>Loads the state at the log head and starts the loop. The store's feed starts after this, from the same head.</summary>
    public void Start(StoreState state)
    {
        _loop.Start(state);
        LiveLog.LoopStarted(_logger, state.Epoch, state.HeadSeq);
    }

    public Task StopAsync() => _loop.StopAsync();

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>Completes once <see cref="Generation"/> is no longer <paramref name="seen"/> (at once if it already moved).</summary>
    public Task WhenAdvancedAsync(long seen) => _state.Published.WhenAdvancedAsync(seen);

    // ---- The feed's side (IEventSink) and the writers' side (IWriteThrottle) ----

    /// <inheritdoc />
    public void OnCommitted(IReadOnlyList<EventRecord> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        _admission.Handed(events.Count);
        if (!_inbox.TryWrite(new CommitMessage(events, _time.GetTimestamp())))
        {
            _admission.Handed(-events.Count); // stopping
        }
    }

    /// <inheritdoc />
    public void OnLogReset(string reason) => _inbox.TryWrite(new ReloadMessage(reason));

    /// <inheritdoc cref="IWriteThrottle.WaitForRoomAsync" />
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => _admission.WaitForRoomAsync(cancellationToken);

    /// <inheritdoc cref="IWriteThrottle.Room" />
    public int Room => _admission.Room;

    /// <inheritdoc cref="IWriteThrottle.WhenFannedOutAsync" />
    public Task WhenFannedOutAsync(long seq) => _admission.WhenFannedOutAsync(seq);

    /// <summary>Sends a message that is part of work already admitted (a join's later step, an observer); fails it once stopping.</summary>
    private T Ask<T>(T message)
        where T : LiveMessage
    {
        if (!_inbox.TryWrite(message))
        {
            message.Fail(new ObjectDisposedException(nameof(LiveHub), "Switchboard is shutting down."));
        }

        return message;
    }

    /// <summary>Like <see cref="Ask{T}"/> for new work from outside: refused with <see cref="LiveBusyException"/> when too many wait.</summary>
    private T Request<T>(T message)
        where T : LiveMessage
    {
        if (!_inbox.TryWriteRequest(message))
        {
            message.Fail(new ObjectDisposedException(nameof(LiveHub), "Switchboard is shutting down."));
        }

        return message;
    }
}

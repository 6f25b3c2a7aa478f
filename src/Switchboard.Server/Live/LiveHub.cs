using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Events;
using Switchboard.Ingest;
using Switchboard.Live.Fanout;
using Switchboard.Live.Presence;
using Switchboard.Options;
using Switchboard.Outbound;
using Switchboard.Storage;

namespace Switchboard.Live;

/// <summary>
/// The one owner of live state: the projection of the log head, the topic registry and its subscriptions, presence,
/// the summary schedule and the read-your-writes waiters. A single loop handles one inbox of messages: committed
/// events from the store's feed, joins, leaves, reads, timer ticks. Nothing else touches that state and the loop never
/// calls out into a caller's code (replies complete asynchronously, connections are only handed frames), so no callback
/// can re-enter it. The loop is supervised: a failed message is logged and answered with its error; a fault in the
/// fan-out itself resets every subscription (clients resume by <c>seq</c>) and rebuilds the state from the store.
/// <para>
/// It is also the node's admission control: events the store committed but the loop has not fanned out are bounded in
/// number and in age, and writers wait (<see cref="IWriteThrottle"/>) instead of the server buffering without bound.
/// </para>
/// </summary>
internal sealed partial class LiveHub : IEventSink, IWriteThrottle, IAsyncDisposable
{
    private readonly Channel<LiveMessage> _inbox = Channel.CreateUnbounded<LiveMessage>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });

    // Owned by the loop.
    private readonly SessionProjection _projection = new();
    private readonly TopicRegistry _topics = new();
    private readonly FanoutPacer _pacer;
    private readonly FanoutDispatcher _dispatcher;
    private readonly UsageFanout _usage;
    private readonly PresenceTracker _presence;
    private readonly PresenceSync? _presenceSync; // only for a store shared by several nodes
    private readonly SummaryScheduler _summary;
    private readonly Queue<CommitMessage> _backlog = new();
    private readonly List<WaitAppliedMessage> _waiters = [];

    private readonly ISessionStore _store;
    private readonly TimeProvider _time;
    private readonly StreamOptions _options;
    private readonly ILogger _logger;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly ITimer _summaryTimer;
    private readonly ITimer _pacerTimer;
    private readonly ITimer _usageTimer;

    // Published by the loop, read by anyone.
    private volatile LiveHealth _health = LiveHealth.Starting;
    private volatile LiveStats _stats = new(0, 0, 0, 0, 0, 0, 0, 0);
    private long _headSeq;
    private string _epoch = "";
    private long _lastProgress;
    private volatile bool _lagging;

    // Admission: events handed over and not yet dispatched, and who waits for room.
    private long _pending;
    private readonly object _roomLock = new();
    private TaskCompletionSource? _room;

    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public LiveHub(ISessionStore store, StreamOptions options, TimeProvider time, ILogger<LiveHub> logger, IHostApplicationLifetime? lifetime = null,
        SwitchboardOptions? switchboard = null)
    {
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        _lifetime = lifetime;
        _lastProgress = time.GetTimestamp();
        _pacer = new FanoutPacer(time);
        _presence = new PresenceTracker(time);
        _presenceSync = store.Presence is { } exchange
            ? new PresenceSync(exchange, snapshot => Post(new RemotePresenceMessage(snapshot)), time, logger)
            : null;
        _summary = new SummaryScheduler(options);
        _usage = new UsageFanout([.. (switchboard?.Usage.GroupBy ?? []).Distinct(StringComparer.Ordinal)]);
        _dispatcher = new FanoutDispatcher(_projection, _topics, _pacer, _usage);
        _summaryTimer = time.CreateTimer(static s => ((LiveHub)s!).Post(TickMessage.SummaryDue), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _pacerTimer = time.CreateTimer(static s => ((LiveHub)s!).Post(TickMessage.Pacer), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _usageTimer = time.CreateTimer(static s => ((LiveHub)s!).Post(TickMessage.Usage), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The log position the loop has applied and fanned out.</summary>
    public long HeadSeq => Volatile.Read(ref _headSeq);

    /// <summary>The log's epoch; fixed for the life of the database.</summary>
    public string Epoch => Volatile.Read(ref _epoch);

    public LiveHealth Health => _health;

    public LiveStats Stats => _stats;

    /// <summary>Committed events not yet fanned out.</summary>
    public long PendingEvents => Volatile.Read(ref _pending);

    /// <summary>When the loop last made progress (dispatched, or had nothing to dispatch), as a <see cref="TimeProvider.GetTimestamp"/> of the injected clock.</summary>
    public long LastProgress => Volatile.Read(ref _lastProgress);

    /// <summary>
    /// Raised on the loop after each event is fanned out, with the number of subscribers it went to and the time since the
    /// store handed it over. For metrics only: the one handler records into <c>System.Diagnostics.Metrics</c> instruments,
    /// whose exporter records lock-free (a <c>/metrics</c> scrape never holds anything the loop waits for).
    /// </summary>
    public event Action<int, TimeSpan>? EventDispatched;

    /// <summary>Loads the state at the log head and starts the loop. The store's feed starts after this, from the same head.</summary>
    public void Start(StoreState state)
    {
        _projection.Load(state);
        PublishPosition();
        _health = LiveHealth.Running;
        _loop = Task.Run(RunAsync);
        _ = _loop.ContinueWith(t => OnLoopEnded(t), TaskScheduler.Default);
        _presenceSync?.Start();
        LiveLog.LoopStarted(_logger, state.Epoch, state.HeadSeq);
    }

    public async Task StopAsync()
    {
        _inbox.Writer.TryComplete();
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        await _summaryTimer.DisposeAsync();
        await _pacerTimer.DisposeAsync();
        await _usageTimer.DisposeAsync();
        if (_presenceSync is not null)
        {
            await _presenceSync.StopAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    // ---- The feed's side (IEventSink) and the writers' side (IWriteThrottle) ----

    /// <inheritdoc />
    public void OnCommitted(IReadOnlyList<EventRecord> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        Interlocked.Add(ref _pending, events.Count);
        if (!_inbox.Writer.TryWrite(new CommitMessage(events, _time.GetTimestamp())))
        {
            Interlocked.Add(ref _pending, -events.Count); // stopping
        }
    }

    /// <inheritdoc />
    public void OnLogReset(string reason) => Post(new ReloadMessage(reason));

    /// <inheritdoc cref="IWriteThrottle.WaitForRoomAsync" />
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        if (HasRoom)
        {
            return ValueTask.CompletedTask;
        }

        lock (_roomLock)
        {
            if (HasRoom)
            {
                return ValueTask.CompletedTask;
            }

            _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask(_room.Task.WaitAsync(cancellationToken));
        }
    }

    private bool HasRoom => Volatile.Read(ref _pending) < _options.MaxPendingEvents && !_lagging;

    private void SignalRoom()
    {
        if (!HasRoom)
        {
            return;
        }

        TaskCompletionSource? room;
        lock (_roomLock)
        {
            room = _room;
            _room = null;
        }

        room?.TrySetResult();
    }

    // ---- Joins, leaves and reads, for the rest of the server ----

    /// <summary>Registers pending subscriptions of <paramref name="queue"/> at the current position (see <see cref="JoinCoordinator"/>).</summary>
    public Task<Subscribed> SubscribeAsync(SendQueue queue, IReadOnlyList<JoinRequest> requests, bool snapshot) =>
        Ask(new SubscribeMessage(queue, requests, snapshot)).Reply.Task;

    /// <summary>Takes fresh snapshots for pending subscriptions whose resume cannot be replayed; returns their position.</summary>
    public Task<long> ResnapshotAsync(Subscription[] subs, IReadOnlyList<JoinRequest> requests, JoinResult[] results) =>
        Ask(new ResnapshotMessage(subs, requests, results)).Reply.Task;

    /// <summary>Queues <paramref name="replies"/>, then the frames held after <paramref name="position"/>, and delivers live from then on.</summary>
    public Task GoLiveAsync(Subscription[] subs, IReadOnlyList<JoinRequest> requests, long position, IReadOnlyList<OutboundFrame> replies) =>
        Ask(new GoLiveMessage(subs, requests, position, replies)).Reply.Task;

    /// <summary>Stops delivery to a subscription. Returns at once; safe to call more than once.</summary>
    public void Leave(ISubscription sub) => Post(new LeaveMessage([sub]));

    /// <inheritdoc cref="Leave(ISubscription)" />
    public void Leave(IReadOnlyList<ISubscription> subs)
    {
        if (subs.Count > 0)
        {
            Post(new LeaveMessage(subs));
        }
    }

    /// <summary>
    /// Attaches <paramref name="observer"/> (once; attaching again only answers the state) and answers the state at the loop's position: from then
    /// on it is told of every event applied after that position.
    /// </summary>
    public Task<ObservedState> ObserveAsync(ILiveObserver observer) => Ask(new ObserveMessage(observer)).Reply.Task;

    /// <summary>Runs <paramref name="read"/> on the loop, against the state at its current position.</summary>
    public Task<T> ReadAsync<T>(Func<LiveView, T> read) => Ask(new ReadMessage<T>(read)).Reply.Task;

    /// <summary>True once the loop has applied the event with <paramref name="seq"/>; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WhenAppliedAsync(long seq, TimeSpan timeout)
    {
        if (HeadSeq >= seq)
        {
            return true;
        }

        // The loop also drops the waiter once it expires, so a position that never comes parks nothing for good.
        var wait = Ask(new WaitAppliedMessage(seq, _time.GetTimestamp(), timeout)).Reply.Task;
        try
        {
            return await wait.WaitAsync(timeout, _time);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Test hook: the next event the loop fans out throws, as a bug in the fan-out would. The loop logs it, reports it on
    /// <c>/readyz</c>, waits for <paramref name="holdRecovery"/>, then recovers. Faults injected one after another are
    /// queued, one per dispatched event; the task completes when this one has fired.
    /// </summary>
    internal Task InjectFault(string reason, Task holdRecovery) => Ask(new InjectFaultMessage(reason, holdRecovery)).Fired.Task;

    private T Ask<T>(T message)
        where T : LiveMessage
    {
        if (!_inbox.Writer.TryWrite(message))
        {
            message.Fail(new ObjectDisposedException(nameof(LiveHub), "Switchboard is shutting down."));
        }

        return message;
    }

    private void Post(LiveMessage message) => _inbox.Writer.TryWrite(message);

    private void PublishPosition()
    {
        Volatile.Write(ref _headSeq, _projection.HeadSeq);
        Volatile.Write(ref _epoch, _projection.Epoch);
    }
}

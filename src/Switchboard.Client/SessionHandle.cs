using System.Runtime.ExceptionServices;
using System.Text.Json;

namespace Switchboard.Client;

/// <summary>
/// A producer's handle on one session. Setters return at once; a background loop sends what changed at most once per
/// <see cref="SwitchboardClientOptions.UpdateInterval"/> (default 50 ms): usage increments are summed, other fields
/// keep the last value set, and both go in one request. While the session has a lease the handle heartbeats well
/// within it. <see cref="TerminateAsync"/> and <see cref="DisposeAsync"/> send everything still pending first, so the
/// final state is never lost. Thread-safe.
/// </summary>
public sealed partial class SessionHandle : IAsyncDisposable
{
    private readonly SwitchboardClient _client;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly object _gate = new();
    private readonly Dictionary<string, SessionStream> _streams = new(StringComparer.Ordinal);
    private readonly List<(long Generation, TaskCompletionSource Done)> _flushes = [];
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SessionUpdate? _pendingUpdate;
    private Usage _pendingUsage;
    private long _queued;
    private long _settled;
    private Exception? _unreported;
    private Session _session;
    private string? _closedReason;
    private TerminateRequest? _terminate;
    private int _disposed;
    private readonly Task _loop;

    internal SessionHandle(SwitchboardClient client, Session session)
    {
        _client = client;
        _time = client.Options.TimeProvider;
        _interval = client.Options.UpdateInterval;
        _session = session;
        _lastContact = _time.GetUtcNow();
        _loop = Task.Run(RunAsync, CancellationToken.None);
        _listener = client.Options.ReceiveCommandsOverSocket ? Task.Run(ListenForCommandsAsync, CancellationToken.None) : Task.CompletedTask;
    }

    /// <summary>
    /// The session's durable stream <paramref name="name"/> (<c>/v1/stream/sessions/{id}/{name}</c>, e.g. <c>output</c>),
    /// created with <paramref name="contentType"/> on its first append. The same name gives the same stream object.
    /// </summary>
    public SessionStream Stream(string name, string contentType = "text/plain")
    {
        lock (_streams)
        {
            if (!_streams.TryGetValue(name, out var stream))
            {
                stream = new SessionStream(_client.Api, Id, name, contentType);
                _streams[name] = stream;
            }

            return stream;
        }
    }

    /// <summary>The session's id.</summary>
    public string Id => _session.Id;

    /// <summary>The session as the server last confirmed it.</summary>
    public Session Session
    {
        get
        {
            lock (_gate)
            {
                return _session;
            }
        }
    }

    /// <summary>True once the session is terminated (by this handle or anyone else).</summary>
    public bool IsTerminated => Session.State == SessionState.Terminated || _closedReason is not null;

    /// <summary>Raised on the handle's loop when a background request fails; <see cref="FlushAsync"/> throws the same failure.</summary>
    public event EventHandler<SessionHandleErrorEventArgs>? Error;

    /// <summary>Sets the state; for <see cref="SessionState.Error"/> pass the reason as <paramref name="errorMessage"/>.</summary>
    public void SetState(SessionState state, string? errorMessage = null) =>
        Update(errorMessage is null ? new SessionUpdate { State = state } : new SessionUpdate { State = state, ErrorMessage = errorMessage });

    /// <summary>Sets the display name (null clears it).</summary>
    public void SetName(string? name) => Update(new SessionUpdate { Name = name });

    /// <summary>Sets the number of running tasks.</summary>
    public void SetTasksRunning(int tasksRunning) => Update(new SessionUpdate { TasksRunning = tasksRunning });

    /// <summary>Replaces the labels.</summary>
    public void SetLabels(IReadOnlyDictionary<string, string> labels) => Update(new SessionUpdate { Labels = labels });

    /// <summary>Replaces the metadata object.</summary>
    public void SetMetadata(JsonElement metadata) => Update(new SessionUpdate { Metadata = metadata.Clone() });

    /// <summary>Queues a partial update; each field it sets replaces any pending value (last wins).</summary>
    public void Update(SessionUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.ExpectedVersion is not null)
        {
            throw new ArgumentException("A handle tracks the version itself; leave ExpectedVersion unset.", nameof(update));
        }

        Queue(() => _pendingUpdate = _pendingUpdate is null ? update : _pendingUpdate.MergeWith(update));
    }

    /// <summary>Queues usage; increments made before the next send are summed into one.</summary>
    public void AddUsage(long inputTokens = 0, long outputTokens = 0, decimal costUsd = 0) => AddUsage(new Usage(inputTokens, outputTokens, costUsd));

    /// <summary>Queues usage; increments made before the next send are summed into one.</summary>
    public void AddUsage(Usage usage)
    {
        if (usage.InputTokens < 0 || usage.OutputTokens < 0 || usage.CostUsd < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(usage), usage, "Usage increments must be zero or more.");
        }

        if (!usage.IsZero)
        {
            Queue(() => _pendingUsage += usage);
        }
    }

    /// <summary>
    /// Waits until every change queued before this call has been sent, then throws the first failure since the
    /// previous flush, if any. Changes refused because the server was unreachable stay queued and are sent again.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        Task done;
        lock (_gate)
        {
            if (_settled >= _queued)
            {
                done = Task.CompletedTask;
            }
            else
            {
                var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _flushes.Add((_queued, tcs));
                done = tcs.Task;
                Pulse();
            }
        }

        await done.WaitAsync(cancellationToken).ConfigureAwait(false);
        ThrowUnreported();
    }

    /// <summary>
    /// Sends everything pending, then terminates the session (idempotent server-side, so it is retried until it lands
    /// or the retries run out). Returns the final session.
    /// </summary>
    public Task<Session> TerminateAsync(string? reason = null, CancellationToken cancellationToken = default)
    {
        Task<Session> task;
        lock (_gate)
        {
            if (_terminate is null || _terminate.Done.Task.IsFaulted)
            {
                _terminate = new TerminateRequest(reason);
                Pulse();
            }

            task = _terminate.Done.Task;
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Terminates the session if it is still active (sending what is pending first), then stops the handle. Never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!IsTerminated)
        {
            try
            {
                await TerminateAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SwitchboardApiException or HttpRequestException or IOException or TaskCanceledException)
            {
                // Reported through Error already; disposal must not throw.
            }
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await _listener.ConfigureAwait(false);
        _commands.Writer.TryComplete();
        _stop.Dispose();
    }

    private void Queue(Action change)
    {
        lock (_gate)
        {
            if (_terminate is not null || _closedReason is not null)
            {
                throw new InvalidOperationException($"Session '{Id}' is {(_closedReason ?? "being terminated")}; it takes no more changes.");
            }

            change();
            _queued++;
            Pulse();
        }
    }

    private void Pulse() => _pulse.TrySetResult();

    private void ThrowUnreported()
    {
        Exception? error;
        lock (_gate)
        {
            error = _unreported;
            _unreported = null;
        }

        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    private sealed class TerminateRequest(string? reason)
    {
        public string? Reason { get; } = reason;

        public TaskCompletionSource<Session> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

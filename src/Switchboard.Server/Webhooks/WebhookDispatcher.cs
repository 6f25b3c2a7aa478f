using Microsoft.Extensions.Logging;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Webhooks.Options;

namespace Switchboard.Server.Webhooks;

/// <summary>
/// Runs one <see cref="WebhookWorker"/> per endpoint on this node, starting and stopping them as endpoints come and go,
/// and wakes them when the live loop applies new events (they wait on the position the loop publishes; nothing of theirs
/// runs on the loop). Its loop and each worker's are <see cref="SupervisedLoop"/>s.
/// </summary>
internal sealed class WebhookDispatcher : IAsyncDisposable
{
    private readonly Dictionary<string, WebhookWorker> _workers = new(StringComparer.Ordinal); // owned by the sync loop
    private readonly LiveHub _live;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly BackgroundLoops? _loops;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _wakes;
    private TaskCompletionSource? _wake;
    private long _attempts;
    private long _failures;
    private readonly SupervisedLoop _loop;
    private volatile WebhookWorker[] _snapshot = [];

    public WebhookDispatcher(ISessionStore store, LiveHub live, SwitchboardOptions options, TimeProvider time, ILogger<WebhookDispatcher> logger,
        BackgroundLoops? loops = null)
    {
        Log = store;
        Store = store as IWebhookStore ?? throw new InvalidOperationException("The configured store does not keep webhooks (it must implement IWebhookStore).");
        _live = live;
        Options = options.Webhooks;
        PublicUrl = options.PublicUrl;
        Time = time;
        _logger = logger;
        // No redirects: a receiver must not bounce deliveries elsewhere (see docs/security.md).
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2), UseCookies = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Switchboard-Webhooks/1");
        _loops = loops;
        _loop = new SupervisedLoop("webhook-dispatcher", SyncLoopAsync, time, loops: loops);
    }

    /// <summary>This process's name in endpoint leases.</summary>
    public string NodeId { get; } = Environment.MachineName + "-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..6];

    public WebhookOptions Options { get; }

    /// <summary><c>Switchboard:PublicUrl</c>: where a Slack message links a session to (null: no link).</summary>
    public Uri? PublicUrl { get; }

    public TimeProvider Time { get; }

    public IWebhookStore Store { get; }

    public ISessionStore Log { get; }

    public string Epoch => _live.Epoch;

    public long HeadSeq => _live.HeadSeq;

    /// <summary>Changes each time the live loop applies events, and when the endpoints change.</summary>
    public long Generation => _live.Generation + Interlocked.Read(ref _wakes);

    public long TotalAttempts => Interlocked.Read(ref _attempts);

    public long TotalFailures => Interlocked.Read(ref _failures);

    /// <summary>The workers of this node, for metrics.</summary>
    public IReadOnlyList<WebhookWorker> Workers => _snapshot;

    public void Start()
    {
        if (!Options.Enabled)
        {
            return;
        }

        _loop.Start();
    }

    /// <summary>Endpoints were created, changed, replayed or deleted on this node: look again now.</summary>
    public void Changed() => _changed.TrySetResult();

    /// <summary>Waits up to <paramref name="delay"/>, or less once an event is applied after <paramref name="since"/>.</summary>
    public async Task WaitForEventsAsync(long since, TimeSpan delay, CancellationToken ct)
    {
        if (delay <= TimeSpan.Zero || Generation != since)
        {
            return;
        }

        var wake = Volatile.Read(ref _wake);
        if (wake is null)
        {
            var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wake = Interlocked.CompareExchange(ref _wake, fresh, null) ?? fresh;
        }

        var advanced = _live.WhenAdvancedAsync(_live.Generation);
        if (Generation != since)
        {
            return; // moved while the signals were taken
        }

        await Task.WhenAny(advanced, wake.Task, Task.Delay(delay, Time, ct));
        ct.ThrowIfCancellationRequested();
    }

    public void CountAttempt(bool ok)
    {
        Interlocked.Increment(ref _attempts);
        if (!ok)
        {
            Interlocked.Increment(ref _failures);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _loop.StopAsync();

        await Task.WhenAll(_workers.Values.Select(w => w.StopAsync()));
        _workers.Clear();
        _http.Dispose();
    }

    private async Task SyncLoopAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            try
            {
                var endpoints = await Store.ListWebhooksAsync(token);
                var ids = endpoints.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
                foreach (var gone in _workers.Keys.Where(k => !ids.Contains(k)).ToList())
                {
                    await _workers[gone].StopAsync();
                    _workers.Remove(gone);
                }

                foreach (var id in ids.Where(i => !_workers.ContainsKey(i)))
                {
                    var worker = new WebhookWorker(id, this, _http, _logger, _loops);
                    _workers[id] = worker;
                    worker.Start();
                }

                _snapshot = [.. _workers.Values];
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                WebhookLog.ListFailed(_logger, ex);
            }

            try
            {
                var changed = Volatile.Read(ref _changed);
                await Task.WhenAny(changed.Task, Task.Delay(Options.PollInterval, Time, token));
                if (changed.Task.IsCompleted)
                {
                    Interlocked.CompareExchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), changed);
                }

                // A change (a replay, a re-enable) also wakes the workers.
                Interlocked.Increment(ref _wakes);
                Interlocked.Exchange(ref _wake, null)?.TrySetResult();
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}

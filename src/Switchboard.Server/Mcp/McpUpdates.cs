using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Hosting;
using Switchboard.Server.Live;

namespace Switchboard.Server.Mcp;

/// <summary>
/// Follows the live log for the MCP server, as the command watch does: its own bounded <see cref="LiveFeed"/>, read on its
/// own supervised loop, so a change committed on any node reaches this node's subscribers (<see cref="McpSubscriptions"/>)
/// and <c>wait_for</c> calls (<see cref="McpWaiter"/>) as soon as the live loop applies it, and nothing of it runs on the
/// live loop. It only marks what changed; sending and re-reading happen on the subscribers' and waiters' own tasks, so the
/// feed is drained at once and never holds the fan-out back for long.
/// </summary>
internal sealed class McpUpdates : IHostedService, IAsyncDisposable
{
    /// <summary>The fleet summary's resource.</summary>
    public const string FleetUri = "switchboard://fleet/summary";

    /// <summary>The prefix of a session's resource: <c>switchboard://sessions/{id}</c>.</summary>
    public const string SessionPrefix = "switchboard://sessions/";

    /// <summary>The most <c>wait_for</c> calls waiting on one node.</summary>
    public const int MaxWaiters = 1000;

    private const int FeedCapacity = 4096;

    private readonly LiveHub _live;
    private readonly McpSubscriptions _subscriptions;
    private readonly LiveFeed _feed = new(FeedCapacity);
    private readonly SupervisedLoop _loop;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly HashSet<McpWaiter> _waiters = []; // under _gate
    private bool _full; // under _gate: WaitersFull logged until the count drops

    public McpUpdates(LiveHub live, McpSubscriptions subscriptions, TimeProvider time, ILogger<McpUpdates> logger, BackgroundLoops? loops = null)
    {
        _live = live;
        _subscriptions = subscriptions;
        _logger = logger;
        _loop = new SupervisedLoop("mcp-updates", RunAsync, time, LoopPolicy.Default, loops);
    }

    public static string SessionUri(string id) => SessionPrefix + id;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _loop.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _loop.StopAsync();
        WakeAll();
    }

    /// <summary>A waiter woken by the next change of <paramref name="sessionId"/> (null: of any session); null when <see cref="MaxWaiters"/> wait.</summary>
    public McpWaiter? TryWatch(string? sessionId)
    {
        var waiter = new McpWaiter(this, sessionId);
        lock (_gate)
        {
            if (_waiters.Count >= MaxWaiters)
            {
                if (!_full)
                {
                    _full = true;
                    McpLog.WaitersFull(_logger, MaxWaiters);
                }

                return null;
            }

            _waiters.Add(waiter);
        }

        return waiter;
    }

    internal void Remove(McpWaiter waiter)
    {
        lock (_gate)
        {
            _waiters.Remove(waiter);
            if (_waiters.Count < MaxWaiters / 2)
            {
                _full = false;
            }
        }
    }

    private async Task RunAsync(CancellationToken token)
    {
        var state = await _live.ObserveAsync(_feed).WaitAsync(token);
        McpLog.UpdatesStarted(_logger, state.HeadSeq);
        Changed(null); // events may have gone by before (or while restarting): everyone reads again
        var reader = _feed.Reader;
        var sessions = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (await reader.WaitToReadAsync(token))
            {
                var reset = _feed.TakeReset();
                var any = false;
                sessions.Clear();
                while (reader.TryRead(out var applied))
                {
                    if (applied.Event is { } e)
                    {
                        any = true;
                        if (e.SessionId is { } id)
                        {
                            sessions.Add(id);
                        }
                    }
                }

                if (reset)
                {
                    Changed(null);
                }
                else if (any)
                {
                    Changed(sessions);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass's changes: each session's resource, the fleet's, and the waiters of those sessions and of the fleet.</summary>
    private void Changed(HashSet<string>? sessions)
    {
        _subscriptions.Changed(sessions is null ? null : [FleetUri, .. sessions.Select(SessionUri)]);
        List<McpWaiter> wake = [];
        lock (_gate)
        {
            foreach (var waiter in _waiters)
            {
                if (sessions is null || waiter.SessionId is null || sessions.Contains(waiter.SessionId))
                {
                    wake.Add(waiter);
                }
            }
        }

        foreach (var waiter in wake)
        {
            waiter.Wake();
        }
    }

    private void WakeAll()
    {
        List<McpWaiter> wake;
        lock (_gate)
        {
            wake = [.. _waiters];
        }

        foreach (var waiter in wake)
        {
            waiter.Wake();
        }
    }
}

/// <summary>
/// One <c>wait_for</c>'s wake-up: armed before the caller reads the session, woken by the next change the live log brings
/// (continuations run off the updates' loop). Disposing it leaves the waiters.
/// </summary>
internal sealed class McpWaiter(McpUpdates owner, string? sessionId) : IDisposable
{
    private readonly TaskCompletionSource _woken = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string? SessionId { get; } = sessionId;

    public Task Woken => _woken.Task;

    internal void Wake() => _woken.TrySetResult();

    public void Dispose() => owner.Remove(this);
}

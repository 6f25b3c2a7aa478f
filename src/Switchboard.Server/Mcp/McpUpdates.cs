using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Hosting;
using Switchboard.Server.Live;
using Switchboard.Server.Waiters;

namespace Switchboard.Server.Mcp;

/// <summary>
/// Follows the live log for the MCP server, as the command watch does: its own bounded <see cref="LiveFeed"/>, read on its
/// own supervised loop, so a change committed on any node reaches this node's subscribers (<see cref="McpSubscriptions"/>)
/// and <c>wait_for</c> calls (waiters of a <see cref="WaiterSet{TKey, TNews}"/> keyed by session, the fleet's key empty) as soon as the live loop applies it, and nothing of it runs on the
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

    // The fleet's waiters: woken by every change. A session id is never empty.
    private const string FleetKey = "";

    private readonly LiveHub _live;
    private readonly McpSubscriptions _subscriptions;
    private readonly LiveFeed _feed = new(FeedCapacity);
    private readonly SupervisedLoop _loop;
    private readonly ILogger _logger;
    private readonly WaiterSet<string, Change> _waiters;

    public McpUpdates(LiveHub live, McpSubscriptions subscriptions, TimeProvider time, ILogger<McpUpdates> logger, BackgroundLoops? loops = null)
    {
        _live = live;
        _subscriptions = subscriptions;
        _logger = logger;
        _waiters = new WaiterSet<string, Change>(new WaiterLimits(MaxWaiters, () => McpLog.WaitersFull(logger, MaxWaiters)), time, comparer: StringComparer.Ordinal);
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
        _waiters.WakeAll(stop: true);
    }

    /// <summary>
    /// A waiter woken by the next change of <paramref name="sessionId"/> (null: of any session), its place shared by the
    /// caller's label scope; null when <see cref="MaxWaiters"/> wait, or the scope holds its share of them.
    /// </summary>
    public Waiter<string>? TryWatch(string? sessionId, LabelFilter? scope) =>
        _waiters.TryWatch(sessionId ?? FleetKey, WaiterShares.ScopeOf(scope), out _);

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
        if (sessions is null)
        {
            _waiters.WakeAll(stop: false);
        }
        else
        {
            _waiters.Wake([(FleetKey, default(Change)), .. sessions.Select(id => (id, default(Change)))]);
        }
    }

    /// <summary>A wake-up's news: only that something changed (every change wakes).</summary>
    private readonly record struct Change;
}

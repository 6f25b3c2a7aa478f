using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Events;
using Switchboard.Core.Hosting;
using Switchboard.Server.Commands.Options;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Waiters;

namespace Switchboard.Server.Commands;

/// <summary>
/// Wakes the producers' long-polls (<c>GET …/commands?wait=N</c>) when a command event of their session is applied. It
/// observes the live loop like the alert evaluator does, through its own bounded <see cref="LiveFeed"/> read on its own
/// loop, so an event committed on another node wakes a long-poll here as soon as this node applies it, and nothing of this
/// class runs on the live loop; it never polls the store. Waiters are bounded (<see cref="CommandOptions.MaxWaiters"/>)
/// and shared by scope (<see cref="WaiterShares"/>), so one team cannot take them all: a <see cref="WaiterSet{TKey, TNews}"/>
/// keyed by session, every command or approval event news. On stopping, every waiter is woken
/// so long-polls answer at once instead of holding the shutdown. Its loop is a critical <see cref="SupervisedLoop"/>;
/// after a restart every waiter reads the store again, since events may have gone by meanwhile.
/// </summary>
internal sealed class CommandWatch : IAsyncDisposable
{
    private readonly LiveHub _live;
    private readonly LiveFeed _feed;
    private readonly ILogger _logger;
    private readonly WaiterSet<string, long> _waiters;
    private CancellationTokenRegistration _onStopping;
    private readonly SupervisedLoop _loop;

    public CommandWatch(LiveHub live, SwitchboardOptions options, TimeProvider time, ILogger<CommandWatch> logger, Switchboard.Server.Security.ApiKeyRing keys,
        IHostApplicationLifetime? lifetime = null, BackgroundLoops? loops = null)
    {
        _live = live;
        _logger = logger;
        var max = options.Commands.MaxWaiters;
        // One scope can be there only without labels scopes: it may hold them all.
        _waiters = new WaiterSet<string, long>(
            new WaiterLimits(max, () => keys.HasLabelScopes, () => CommandLog.WaitersFull(logger, max),
                (share, held) => CommandLog.WaiterShareFull(logger, WaiterShares.Describe(share), held, max)),
            time, comparer: StringComparer.Ordinal);
        _feed = new LiveFeed(SwitchboardDefaults.CommandWatchPendingEvents);
        _loop = new SupervisedLoop("command-watch", RunAsync, time, new LoopPolicy { Critical = true }, loops);
        if (lifetime is not null)
        {
            _onStopping = lifetime.ApplicationStopping.Register(static s => ((CommandWatch)s!)._waiters.WakeAll(stop: true), this);
        }
    }

    /// <summary>Long-polls waiting now, in a wait or between its reads of the store (what <see cref="CommandOptions.MaxWaiters"/> bounds).</summary>
    public int Waiters => _waiters.Count;

    /// <summary>Long-polls in a wait whose timeout is armed (for a test on a manual clock, which must not move it sooner).</summary>
    public int Waiting => _waiters.Waiting;

    /// <summary>True once the node began to stop: long-polls answer with what they have instead of waiting on.</summary>
    public bool IsStopping => _waiters.IsStopping;

    /// <summary>Applied events waiting in the watch's feed (for metrics).</summary>
    public int InboxDepth => _feed.Count;

    public void Start() => _loop.Start();

    /// <summary>A waiter for <paramref name="sessionId"/>'s command events on behalf of <paramref name="scope"/> (the key's labels scope), or null; see <see cref="TryWatch(string, LabelFilter?, out WaiterRefusal)"/>.</summary>
    public Waiter<string>? TryWatch(string sessionId, LabelFilter? scope) => TryWatch(sessionId, scope, out _);

    /// <summary>
    /// A waiter for <paramref name="sessionId"/>'s command events on behalf of <paramref name="scope"/>, or null when the node
    /// is stopping, <see cref="CommandOptions.MaxWaiters"/> already wait, or the scope holds its share (<paramref name="refusal"/> says which).
    /// </summary>
    public Waiter<string>? TryWatch(string sessionId, LabelFilter? scope, out WaiterRefusal refusal) =>
        _waiters.TryWatch(sessionId, WaiterShares.ScopeOf(scope), out refusal);

    private async Task RunAsync(CancellationToken token)
    {
        var state = await _live.ObserveAsync(_feed).WaitAsync(token);
        CommandLog.WatchStarted(_logger, state.HeadSeq);
        if (_loop.Restarts > 0)
        {
            _waiters.WakeAll(stop: false); // events may have gone by while the watch was down: every long-poll reads the store again
        }

        var reader = _feed.Reader;
        try
        {
            while (await reader.WaitToReadAsync(token))
            {
                if (_feed.TakeReset())
                {
                    // The live loop rebuilt its state and may have skipped events: every long-poll reads the store again.
                    CommandLog.Resync(_logger, "the live loop rebuilt its state");
                    _waiters.WakeAll(stop: false);
                }

                while (reader.TryRead(out var applied))
                {
                    if (applied.Event is { } e && (EventTypes.IsCommand(e.Type) || EventTypes.IsApproval(e.Type)) && e.SessionId is { } id)
                    {
                        _waiters.Wake(id, e.Seq);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _waiters.WakeAll(stop: true);
        _feed.Complete();
        await _onStopping.DisposeAsync();
        await _loop.StopAsync();
    }
}

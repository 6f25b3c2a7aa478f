using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Events;
using Switchboard.Core.Hosting;
using Switchboard.Server.Live;
using Switchboard.Server.Options;

namespace Switchboard.Server.Commands;

/// <summary>
/// Wakes the producers' long-polls (<c>GET …/commands?wait=N</c>) when a command event of their session is applied. It
/// observes the live loop like the alert evaluator does, through its own bounded <see cref="LiveFeed"/> read on its own
/// loop, so an event committed on another node wakes a long-poll here as soon as this node applies it, and nothing of this
/// class runs on the live loop; it never polls the store. Waiters are bounded (<see cref="CommandOptions.MaxWaiters"/>)
/// and shared by scope (<see cref="WaiterShares"/>), so one team cannot take them all. On stopping, every waiter is woken
/// so long-polls answer at once instead of holding the shutdown. Its loop is a critical <see cref="SupervisedLoop"/>;
/// after a restart every waiter reads the store again, since events may have gone by meanwhile.
/// </summary>
internal sealed class CommandWatch : IAsyncDisposable
{
    private readonly LiveHub _live;
    private readonly LiveFeed _feed;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _max;
    private readonly object _gate = new();
    private readonly Dictionary<string, List<CommandWaiter>> _bySession = new(StringComparer.Ordinal); // under _gate
    private readonly WaiterShares _shares; // under _gate
    private readonly HashSet<string> _overShare = new(StringComparer.Ordinal); // under _gate: scopes WaiterShareFull was logged for, until they hold none
    private CancellationTokenRegistration _onStopping;
    private bool _refusing; // under _gate: stopping, or WaitersFull logged until the count drops
    private bool _stopped; // under _gate
    private readonly SupervisedLoop _loop;

    public CommandWatch(LiveHub live, SwitchboardOptions options, TimeProvider time, ILogger<CommandWatch> logger, Switchboard.Server.Security.ApiKeyRing keys,
        IHostApplicationLifetime? lifetime = null, BackgroundLoops? loops = null)
    {
        _live = live;
        _time = time;
        _logger = logger;
        _max = options.Commands.MaxWaiters;
        _shares = new WaiterShares(_max, () => keys.HasLabelScopes); // one scope can be there only: it may hold them all
        _feed = new LiveFeed(SwitchboardDefaults.CommandWatchPendingEvents);
        _loop = new SupervisedLoop("command-watch", RunAsync, time, new LoopPolicy { Critical = true }, loops);
        if (lifetime is not null)
        {
            _onStopping = lifetime.ApplicationStopping.Register(static s => ((CommandWatch)s!).WakeAllAndRefuse(), this);
        }
    }

    /// <summary>Long-polls waiting now, in a wait or between its reads of the store (what <see cref="CommandOptions.MaxWaiters"/> bounds).</summary>
    public int Waiters
    {
        get
        {
            lock (_gate)
            {
                return _shares.Total;
            }
        }
    }

    /// <summary>Long-polls in a wait whose timeout is armed (for a test on a manual clock, which must not move it sooner).</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _bySession.Values.Sum(list => list.Count(w => w.IsWaiting));
            }
        }
    }

    /// <summary>True once the node began to stop: long-polls answer with what they have instead of waiting on.</summary>
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

    /// <summary>Applied events waiting in the watch's feed (for metrics).</summary>
    public int InboxDepth => _feed.Count;

    public void Start() => _loop.Start();

    /// <summary>A waiter for <paramref name="sessionId"/>'s command events on behalf of <paramref name="scope"/> (the key's labels scope), or null; see <see cref="TryWatch(string, LabelFilter?, out WaiterRefusal)"/>.</summary>
    public CommandWaiter? TryWatch(string sessionId, LabelFilter? scope) => TryWatch(sessionId, scope, out _);

    /// <summary>
    /// A waiter for <paramref name="sessionId"/>'s command events on behalf of <paramref name="scope"/>, or null when the node
    /// is stopping, <see cref="CommandOptions.MaxWaiters"/> already wait, or the scope holds its share (<paramref name="refusal"/> says which).
    /// </summary>
    public CommandWaiter? TryWatch(string sessionId, LabelFilter? scope, out WaiterRefusal refusal)
    {
        var share = WaiterShares.ScopeOf(scope);
        var waiter = new CommandWaiter(this, sessionId, share, _time);
        lock (_gate)
        {
            refusal = _stopped ? WaiterRefusal.Full : _shares.TryTake(share);
            if (refusal != WaiterRefusal.None)
            {
                if (!_stopped && refusal == WaiterRefusal.Full && !_refusing)
                {
                    _refusing = true;
                    CommandLog.WaitersFull(_logger, _max);
                }
                else if (refusal == WaiterRefusal.OverShare && _overShare.Add(share))
                {
                    CommandLog.WaiterShareFull(_logger, WaiterShares.Describe(share), _shares.HeldBy(share), _max);
                }

                return null;
            }

            if (!_bySession.TryGetValue(sessionId, out var list))
            {
                list = [];
                _bySession[sessionId] = list;
            }

            list.Add(waiter);
        }

        return waiter;
    }

    internal void Remove(CommandWaiter waiter)
    {
        lock (_gate)
        {
            if (_bySession.TryGetValue(waiter.SessionId, out var list) && list.Remove(waiter))
            {
                if (_shares.Return(waiter.Scope))
                {
                    _overShare.Remove(waiter.Scope);
                }

                if (list.Count == 0)
                {
                    _bySession.Remove(waiter.SessionId);
                }

                if (_shares.Total < _max / 2)
                {
                    _refusing = false;
                }
            }
        }
    }

    private async Task RunAsync(CancellationToken token)
    {
        var state = await _live.ObserveAsync(_feed).WaitAsync(token);
        CommandLog.WatchStarted(_logger, state.HeadSeq);
        if (_loop.Restarts > 0)
        {
            WakeAll(); // events may have gone by while the watch was down: every long-poll reads the store again
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
                    WakeAll();
                }

                while (reader.TryRead(out var applied))
                {
                    if (applied.Event is { } e && (EventTypes.IsCommand(e.Type) || EventTypes.IsApproval(e.Type)) && e.SessionId is { } id)
                    {
                        Wake(id);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private void Wake(string sessionId)
    {
        CommandWaiter[]? waiting = null;
        lock (_gate)
        {
            if (_bySession.TryGetValue(sessionId, out var list))
            {
                waiting = [.. list];
            }
        }

        // Outside the lock; each signal's continuation runs asynchronously.
        foreach (var waiter in waiting ?? [])
        {
            waiter.Signal();
        }
    }

    private void WakeAll()
    {
        CommandWaiter[] waiting;
        lock (_gate)
        {
            waiting = [.. _bySession.Values.SelectMany(l => l)];
        }

        foreach (var waiter in waiting)
        {
            waiter.Signal();
        }
    }

    private void WakeAllAndRefuse()
    {
        lock (_gate)
        {
            _stopped = true;
        }

        WakeAll();
    }

    public async ValueTask DisposeAsync()
    {
        WakeAllAndRefuse();
        _feed.Complete();
        await _onStopping.DisposeAsync();
        await _loop.StopAsync();
    }
}

using Microsoft.Extensions.Logging;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;

namespace Switchboard.Server.Live.Presence;

/// <summary>
/// Shares presence with the other nodes of the store (<see cref="IPresenceExchange"/>): it writes this node's viewers as
/// the live loop reports them, renews the node's liveness, and every <see cref="PollInterval"/> reads the other nodes'
/// viewers and hands a changed snapshot to the loop. It owns the exchange and the set of this node's viewers as the
/// loop last reported them; the loop only reports joins and leaves (never waiting) and receives snapshots. What it
/// writes is the difference between that set and what the exchange holds, so however long the exchange is unreachable
/// what waits is bounded by the viewers there are, and a viewer that came and went meanwhile is never written. A
/// failure is logged once, retried every interval, and its recovery logged. Its loop is a <see cref="SupervisedLoop"/>.
/// </summary>
internal sealed class PresenceSync(IPresenceExchange exchange, Action<IReadOnlyList<PresenceRecord>> deliver, TimeProvider time, ILogger logger,
    BackgroundLoops? loops = null)
{
    /// <summary>How often the other nodes' viewers are read: the delay before a viewer on another node appears.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly Dictionary<string, PresenceRecord> _wanted = new(StringComparer.Ordinal); // under its own lock
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly HashSet<string> _local = new(StringComparer.Ordinal); // refs the exchange holds for this node
    private bool _changed; // under the lock of _wanted
    private string? _lastSnapshot;
    private volatile bool _resend;
    private SupervisedLoop? _loop;

    /// <summary>This node's viewer joined (called on the live loop; never blocks).</summary>
    public void Added(PresenceRecord record) => Change(wanted => wanted[record.Ref] = record);

    /// <summary>This node's viewer left (called on the live loop; never blocks).</summary>
    public void Removed(string @ref) => Change(wanted => wanted.Remove(@ref));

    /// <summary>The loop forgot every viewer: this node's rows go, and the next snapshot is delivered even if unchanged.</summary>
    public void Reset()
    {
        Change(wanted => wanted.Clear());
        _resend = true;
    }

    /// <summary>This node's viewers waiting to be written to, or removed from, the exchange.</summary>
    public int Pending
    {
        get
        {
            lock (_wanted)
            {
                return _wanted.Keys.Count(r => !_local.Contains(r)) + _local.Count(r => !_wanted.ContainsKey(r));
            }
        }
    }

    public void Start()
    {
        _loop = new SupervisedLoop("presence-sync", RunAsync, time, loops: loops);
        _loop.Start();
    }

    /// <summary>Stops and removes this node's viewers, so the other nodes drop them now rather than after the liveness bound.</summary>
    public async Task StopAsync()
    {
        if (_loop is not null)
        {
            await _loop.StopAsync();
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await exchange.LeaveAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The other nodes drop this node's viewers after the liveness bound anyway.
        }
    }

    private void Change(Action<Dictionary<string, PresenceRecord>> change)
    {
        lock (_wanted)
        {
            change(_wanted);
            _changed = true;
        }

        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the loop looks at the whole set when it wakes.
        }
    }

    private async Task RunAsync(CancellationToken token)
    {
        var failing = false;
        long? renewed = null; // TimeProvider timestamp of the last renewal
        var dirty = false;
        while (!token.IsCancellationRequested)
        {
            try
            {
                lock (_wanted)
                {
                    dirty |= _changed;
                    _changed = false;
                }

                if (dirty)
                {
                    await ApplyAsync(token);
                    dirty = false; // kept set when it failed: the next attempt looks again
                }

                if (renewed is not { } at || time.GetElapsedTime(at) >= exchange.RenewInterval)
                {
                    await exchange.RenewAsync(token);
                    renewed = time.GetTimestamp();
                }

                await ReadOthersAsync(token);
                if (failing)
                {
                    failing = false;
                    PresenceLog.PresenceSyncRecovered(logger);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Looked at again on the next attempt: nothing this node reported is lost.
                if (!failing)
                {
                    failing = true;
                    PresenceLog.PresenceSyncFailed(logger, ex);
                }
            }

            try
            {
                await _signal.WaitAsync(PollInterval, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Brings the exchange to this node's viewers: removes the ones that left, adds the ones that joined.</summary>
    private async Task ApplyAsync(CancellationToken token)
    {
        List<PresenceRecord> adds;
        List<string> removes;
        lock (_wanted)
        {
            adds = [.. _wanted.Values.Where(r => !_local.Contains(r.Ref))];
            removes = [.. _local.Where(r => !_wanted.ContainsKey(r))];
        }

        if (removes.Count > 0)
        {
            await exchange.RemoveAsync(removes, token);
            lock (_wanted)
            {
                removes.ForEach(r => _local.Remove(r));
            }
        }

        if (adds.Count > 0)
        {
            await exchange.AddAsync(adds, token);
            lock (_wanted)
            {
                adds.ForEach(a => _local.Add(a.Ref));
            }
        }
    }

    private async Task ReadOthersAsync(CancellationToken token)
    {
        var others = await exchange.ReadOthersAsync(token);
        var fingerprint = string.Join('\n', others.Select(r => r.Ref));
        if (fingerprint != _lastSnapshot || _resend)
        {
            _resend = false;
            _lastSnapshot = fingerprint;
            deliver(others);
        }
    }
}

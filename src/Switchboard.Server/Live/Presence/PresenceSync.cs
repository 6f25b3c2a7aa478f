using Microsoft.Extensions.Logging;
using Switchboard.Storage;

namespace Switchboard.Live.Presence;

/// <summary>
/// Shares presence with the other nodes of the store (<see cref="IPresenceExchange"/>): it writes this node's viewers as
/// the live loop reports them, renews the node's liveness, and every <see cref="PollInterval"/> reads the other nodes'
/// viewers and hands a changed snapshot to the loop. It owns the exchange and its own queue; the loop only enqueues and
/// receives snapshots as messages. A failure is logged once, retried every interval, and its recovery logged.
/// </summary>
internal sealed class PresenceSync(IPresenceExchange exchange, Action<IReadOnlyList<PresenceRecord>> deliver, TimeProvider time, ILogger logger)
{
    /// <summary>How often the other nodes' viewers are read: the delay before a viewer on another node appears.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly Queue<Change> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _local = new(StringComparer.Ordinal);
    private string? _lastSnapshot;
    private volatile bool _resend;
    private Task? _loop;

    /// <summary>This node's viewer joined (called on the live loop; never blocks).</summary>
    public void Added(PresenceRecord record) => Enqueue(new Change(record, null));

    /// <summary>This node's viewer left (called on the live loop; never blocks).</summary>
    public void Removed(string @ref) => Enqueue(new Change(null, @ref));

    /// <summary>The loop forgot every viewer: this node's rows go, and the next snapshot is delivered even if unchanged.</summary>
    public void Reset()
    {
        Enqueue(new Change(null, null));
        _resend = true;
    }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Stops and removes this node's viewers, so the other nodes drop them now rather than after the liveness bound.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
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

    private void Enqueue(Change change)
    {
        lock (_queue)
        {
            _queue.Enqueue(change);
        }

        _signal.Release();
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        var failing = false;
        long? renewed = null; // TimeProvider timestamp of the last renewal
        Change[] pending = [];
        while (!token.IsCancellationRequested)
        {
            try
            {
                lock (_queue)
                {
                    pending = [.. pending, .. _queue];
                    _queue.Clear();
                }

                await ApplyAsync(pending, token);
                pending = [];
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
                // Kept for the next attempt, in order: nothing this node reported is lost.
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

    /// <summary>Writes this node's joins and leaves in order, adds batched and removes batched between them.</summary>
    private async Task ApplyAsync(Change[] changes, CancellationToken token)
    {
        var adds = new List<PresenceRecord>();
        var removes = new List<string>();
        async Task FlushAsync()
        {
            if (adds.Count > 0)
            {
                await exchange.AddAsync(adds, token);
                adds.ForEach(a => _local.Add(a.Ref));
                adds.Clear();
            }

            if (removes.Count > 0)
            {
                await exchange.RemoveAsync(removes, token);
                removes.ForEach(r => _local.Remove(r));
                removes.Clear();
            }
        }

        foreach (var change in changes)
        {
            if (change.Added is { } record)
            {
                if (removes.Count > 0)
                {
                    await FlushAsync();
                }

                adds.Add(record);
            }
            else
            {
                await FlushAsync();
                if (change.RemovedRef is { } removed)
                {
                    removes.Add(removed);
                }
                else
                {
                    removes.AddRange(_local); // a reset removes every viewer of this node
                }
            }
        }

        await FlushAsync();
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

    /// <summary>A join (<see cref="Added"/>), a leave (<see cref="RemovedRef"/>), or neither: a reset.</summary>
    private sealed record Change(PresenceRecord? Added, string? RemovedRef);
}

using Microsoft.Extensions.Logging;
using Switchboard.Ingest;
using Switchboard.Storage;
using Switchboard.Writes;

namespace Switchboard.Hosting;

/// <summary>
/// Moves sessions whose lease ran out to <c>error</c> with reason <c>lease_expired</c>. Driven by
/// <see cref="TimeProvider"/> so tests advance time instead of sleeping. The expiry is re-checked inside the
/// store transaction, so a heartbeat that lands first wins, and several nodes may run this safely.
/// </summary>
internal sealed class LeaseMonitor(ISessionStore store, SessionWriter writer, TimeProvider time, ILogger<LeaseMonitor> logger) : IDisposable
{
    private ITimer? _timer;
    private int _running;

    public void Start() =>
        _timer = time.CreateTimer(_ => _ = CheckAsync(), null, SwitchboardDefaults.LeaseCheckInterval, SwitchboardDefaults.LeaseCheckInterval);

    /// <summary>Expires every lease that is due now. Returns how many sessions moved to error.</summary>
    public async Task<int> CheckAsync()
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return 0;
        }

        try
        {
            var expired = 0;
            while (true)
            {
                var due = await store.FindExpiredLeasesAsync(time.GetUtcNow(), 500, CancellationToken.None);
                if (due.Count == 0)
                {
                    return expired;
                }

                var results = await writer.WriteManyAsync(due.Select(id => (SessionWrite)new ExpireLease(id)).ToList(), CancellationToken.None);
                var moved = 0;
                for (var i = 0; i < results.Count; i++)
                {
                    if (results[i].Event is not null)
                    {
                        moved++;
                        SwitchboardLog.LeaseExpired(logger, due[i]);
                    }
                }

                expired += moved;
                if (moved == 0 || due.Count < 500)
                {
                    return expired;
                }
            }
        }
        catch (Exception ex)
        {
            SwitchboardLog.LeaseCheckFailed(logger, ex);
            return 0;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    public void Dispose() => _timer?.Dispose();
}

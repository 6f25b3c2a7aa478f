using Microsoft.Extensions.Logging;
using Switchboard.Storage;

namespace Switchboard.Hosting;

/// <summary>Purges the event log to the retention policy on a timer.</summary>
internal sealed class RetentionService(ISessionStore store, SwitchboardOptions options, TimeProvider time, ILogger<RetentionService> logger) : IDisposable
{
    private ITimer? _timer;
    private int _running;

    public void Start() =>
        _timer = time.CreateTimer(_ => _ = PurgeAsync(), null, TimeSpan.FromSeconds(5), options.Retention.PurgeInterval);

    public async Task<long> PurgeAsync()
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return 0;
        }

        try
        {
            var policy = new RetentionPolicy(options.Retention.MaxAge, options.Retention.MaxEvents);
            var purged = await store.PurgeAsync(policy, time.GetUtcNow(), CancellationToken.None);
            await store.PurgeUsageAsync(time.GetUtcNow(), CancellationToken.None);
            if (purged > 0)
            {
                SwitchboardLog.Purged(logger, purged);
            }

            return purged;
        }
        catch (Exception ex)
        {
            SwitchboardLog.PurgeFailed(logger, ex);
            return 0;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    public void Dispose() => _timer?.Dispose();
}

using Microsoft.Extensions.Logging;
using Switchboard.Core.Storage;
using Switchboard.Server.Background;
using Switchboard.Server.Options;

namespace Switchboard.Server.Hosting;

/// <summary>Purges the event log to the retention policy, and expired usage rollups, on a supervised periodic job.</summary>
internal sealed class RetentionService : IDisposable
{
    private static readonly TimeSpan FirstPurge = TimeSpan.FromSeconds(5);

    private readonly ISessionStore _store;
    private readonly SwitchboardOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PeriodicJob<long> _job;

    public RetentionService(ISessionStore store, SwitchboardOptions options, TimeProvider time, ILogger<RetentionService> logger)
    {
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        _job = new PeriodicJob<long>(time, PurgeDueAsync, skipped: 0, ex => SwitchboardLog.PurgeFailed(logger, ex));
    }

    public void Start() => _job.Start(FirstPurge, _options.Retention.PurgeInterval);

    /// <summary>Purges now (unless a purge is already running). Returns how many events went; failures are logged, not thrown.</summary>
    public Task<long> PurgeAsync() => _job.RunOnceAsync();

    private async Task<long> PurgeDueAsync(CancellationToken cancellationToken)
    {
        var policy = new RetentionPolicy(_options.Retention.MaxAge, _options.Retention.MaxEvents);
        var purged = await _store.PurgeAsync(policy, _time.GetUtcNow(), cancellationToken);
        await _store.PurgeUsageAsync(_time.GetUtcNow(), cancellationToken);
        if (purged > 0)
        {
            SwitchboardLog.Purged(_logger, purged);
        }

        return purged;
    }

    public void Dispose() => _job.Dispose();
}

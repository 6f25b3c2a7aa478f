using Microsoft.Extensions.Logging;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Background;
using Switchboard.Server.Ingest;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Moves sessions whose lease ran out to <c>error</c> with reason <c>lease_expired</c> (ends one that was
/// <c>terminating</c>, which may only go to <c>terminated</c>), on a supervised periodic job
/// driven by <see cref="TimeProvider"/> so tests advance time instead of sleeping; it sweeps as every due sweep does
/// (<see cref="DueSweep"/>), so a heartbeat that lands first wins, and several nodes may run this safely.
/// </summary>
internal sealed class LeaseMonitor : IDisposable
{
    private readonly ISessionStore _store;
    private readonly WriteIntake _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PeriodicJob<int> _job;

    public LeaseMonitor(ISessionStore store, WriteIntake writer, TimeProvider time, ILogger<LeaseMonitor> logger)
    {
        _store = store;
        _writer = writer;
        _time = time;
        _logger = logger;
        _job = new PeriodicJob<int>(time, ExpireDueAsync, skipped: 0, ex => SwitchboardLog.LeaseCheckFailed(logger, ex));
    }

    public void Start() => _job.Start(SwitchboardDefaults.LeaseCheckInterval, SwitchboardDefaults.LeaseCheckInterval);

    /// <summary>Expires every lease that is due now (unless a check is already running). Returns how many sessions moved to error.</summary>
    public Task<int> CheckAsync() => _job.RunOnceAsync();

    private Task<int> ExpireDueAsync(CancellationToken cancellationToken) => DueSweep.RunAsync(_writer,
        (limit, ct) => _store.FindExpiredLeasesAsync(_time.GetUtcNow(), limit, ct), id => new ExpireLease(id), id => SwitchboardLog.LeaseExpired(_logger, id),
        cancellationToken);

    public void Dispose() => _job.Dispose();
}

using Microsoft.Extensions.Logging;
using Switchboard.Commanding;
using Switchboard.Ingest;
using Switchboard.Storage;
using Switchboard.Writes;

namespace Switchboard.Hosting;

/// <summary>
/// Moves outstanding commands whose expiry passed to <c>expired</c>, on a supervised periodic job driven by the injected
/// <see cref="TimeProvider"/> (tests advance a manual clock). Each expiry is re-checked inside the store transaction
/// (a conditional update: still outstanding, expiry passed), so an acknowledgement that lands first wins and several
/// nodes running this write each expiry once.
/// </summary>
internal sealed class CommandExpiry : IDisposable
{
    private const int Batch = 500;

    private readonly ICommandStore _store;
    private readonly SessionWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PeriodicJob<int> _job;

    public CommandExpiry(ICommandStore store, SessionWriter writer, TimeProvider time, ILogger<CommandExpiry> logger)
    {
        _store = store;
        _writer = writer;
        _time = time;
        _logger = logger;
        _job = new PeriodicJob<int>(time, ExpireDueAsync, skipped: 0, ex => CommandLog.ExpiryFailed(logger, ex));
    }

    public void Start() => _job.Start(SwitchboardDefaults.CommandExpiryInterval, SwitchboardDefaults.CommandExpiryInterval);

    /// <summary>Expires every command that is due now (unless a check is already running). Returns how many expired.</summary>
    public Task<int> CheckAsync() => _job.RunOnceAsync();

    private async Task<int> ExpireDueAsync(CancellationToken cancellationToken)
    {
        var expired = 0;
        while (true)
        {
            var due = await _store.FindExpiredCommandsAsync(_time.GetUtcNow(), Batch, cancellationToken);
            if (due.Count == 0)
            {
                return expired;
            }

            var results = await _writer.WriteManyAsync([.. due.Select(d => (SessionWrite)new ExpireCommand(d.SessionId, d.CommandId))], cancellationToken);
            var moved = 0;
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i].Event is not null)
                {
                    moved++;
                    CommandLog.Expired(_logger, due[i].CommandId, due[i].SessionId);
                }
            }

            expired += moved;
            if (moved == 0 || due.Count < Batch)
            {
                return expired;
            }
        }
    }

    public void Dispose() => _job.Dispose();
}

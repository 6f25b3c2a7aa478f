using Microsoft.Extensions.Logging;
using Switchboard.Hooks;
using Switchboard.Ingest;
using Switchboard.Storage;
using Switchboard.Writes;

namespace Switchboard.Hosting;

/// <summary>
/// Moves pending approvals whose expiry passed to <c>expired</c>, and withdraws those whose holding node is gone, on a supervised periodic job driven by the injected
/// <see cref="TimeProvider"/>, like <see cref="CommandExpiry"/>. The store owns the expiry, not the node holding the hook:
/// an approval whose node was killed still ends <c>expired</c> on the log once any node runs this. Each expiry is
/// re-checked inside the store transaction (still pending, expiry passed), so an answer that lands first wins and several
/// nodes running this write each expiry once.
/// </summary>
internal sealed class ApprovalExpiry : IDisposable
{
    private const int Batch = 500;

    private readonly IApprovalStore _store;
    private readonly SessionWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PeriodicJob<int> _job;
    private readonly Commanding.HoldingNode _node;

    public ApprovalExpiry(IApprovalStore store, SessionWriter writer, Commanding.HoldingNode node, TimeProvider time, ILogger<ApprovalExpiry> logger)
    {
        _store = store;
        _node = node;
        _writer = writer;
        _time = time;
        _logger = logger;
        _job = new PeriodicJob<int>(time, ExpireDueAsync, skipped: 0, ex => HookLog.ApprovalExpiryFailed(logger, ex));
    }

    public void Start() => _job.Start(SwitchboardDefaults.CommandExpiryInterval, SwitchboardDefaults.CommandExpiryInterval);

    /// <summary>
    /// Expires every approval that is due now, then withdraws those whose holding node is gone (unless a check is already
    /// running). Returns how many ended.
    /// </summary>
    public Task<int> CheckAsync() => _job.RunOnceAsync();

    private async Task<int> ExpireDueAsync(CancellationToken cancellationToken) =>
        await ExpireAsync(cancellationToken) + await WithdrawUnheldAsync(cancellationToken);

    /// <summary>
    /// Withdraws (reason <c>holder_gone</c>) pending approvals whose hook was held by a node that died: killed, its lease
    /// (presence liveness) lapsed; on SQLite, the previous run. Its agent's hook failed with it, so no answer reaches it.
    /// </summary>
    private async Task<int> WithdrawUnheldAsync(CancellationToken cancellationToken)
    {
        var withdrawn = 0;
        while (true)
        {
            var gone = await _store.FindUnheldApprovalsAsync(_node.Id, Batch, cancellationToken);
            if (gone.Count == 0)
            {
                return withdrawn;
            }

            var results = await _writer.WriteManyAsync([.. gone.Select(g => (SessionWrite)new EndApproval(g.SessionId, g.ApprovalId)
            {
                Withdraw = true, Reason = Approvals.ApprovalEndReasons.HolderGone,
            })], cancellationToken);
            var moved = 0;
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i].Event is not null)
                {
                    moved++;
                    HookLog.ApprovalHolderGone(_logger, gone[i].ApprovalId, gone[i].SessionId, gone[i].Holder);
                }
            }

            withdrawn += moved;
            if (moved == 0 || gone.Count < Batch)
            {
                return withdrawn;
            }
        }
    }

    private async Task<int> ExpireAsync(CancellationToken cancellationToken)
    {
        var expired = 0;
        while (true)
        {
            var due = await _store.FindExpiredApprovalsAsync(_time.GetUtcNow(), Batch, cancellationToken);
            if (due.Count == 0)
            {
                return expired;
            }

            var results = await _writer.WriteManyAsync([.. due.Select(d => (SessionWrite)new EndApproval(d.SessionId, d.ApprovalId))], cancellationToken);
            var moved = 0;
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i].Event is not null)
                {
                    moved++;
                    HookLog.ApprovalExpired(_logger, due[i].ApprovalId, due[i].SessionId);
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

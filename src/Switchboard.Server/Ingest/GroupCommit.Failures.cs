using Switchboard.Core.Errors;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Server.Ingest;

/// <summary>When the store cannot commit: the failure is logged once, reported by <c>/readyz</c> and probed until it clears.</summary>
internal sealed partial class GroupCommit
{
    /// <summary>A failed commit is logged once; until a commit succeeds the store is probed so readiness recovers without traffic.</summary>
    private void OnCommitFailed(int writes, StoreUnavailableException error)
    {
        var first = _writeFailure is null;
        _writeFailure = error.Message;
        if (first)
        {
            IngestLog.CommitFailed(_logger, writes, error);
            _probe = ProbeUntilWritableAsync();
        }
    }

    /// <summary>
    /// After the store refused a commit's values (<see cref="StoreRejectedException"/>): each write alone, so the one the
    /// database refuses is answered with why (<see cref="SwitchboardError.StoreRefused"/>) and the others commit. A store
    /// that fails otherwise meanwhile fails the writes still to go, as any failed commit does.
    /// </summary>
    private async Task<WriteResult[]> CommitOneByOneAsync(IReadOnlyList<SessionWrite> writes, StoreRejectedException first)
    {
        if (writes.Count == 1)
        {
            IngestLog.WriteRefused(_logger, first.Message);
            return [new WriteResult(SwitchboardError.StoreRefused(first.Message), null, null)];
        }

        var results = new WriteResult[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            try
            {
                results[i] = (await _store.WriteAsync([writes[i]], CancellationToken.None))[0];
            }
            catch (StoreRejectedException rejected)
            {
                IngestLog.WriteRefused(_logger, rejected.Message);
                results[i] = new WriteResult(SwitchboardError.StoreRefused(rejected.Message), null, null);
            }
        }

        return results;
    }

    private async Task ProbeUntilWritableAsync()
    {
        while (_writeFailure is not null && !_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(ProbeInterval, _stopping.Token);
                await _store.CheckWritableAsync(_stopping.Token);
                if (_writeFailure is not null)
                {
                    _writeFailure = null;
                    IngestLog.CommitsRecovered(_logger);
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _writeFailure = ex is StoreUnavailableException ? ex.Message : "the store cannot write: " + ex.Message;
            }
        }
    }
}

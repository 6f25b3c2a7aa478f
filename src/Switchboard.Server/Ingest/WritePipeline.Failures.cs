using Microsoft.Extensions.Logging;
using Switchboard.Storage;

namespace Switchboard.Ingest;

/// <summary>When the store cannot commit: the failure is logged once, reported by <c>/readyz</c> and probed until it clears.</summary>
internal sealed partial class WritePipeline
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

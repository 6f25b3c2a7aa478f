using Switchboard.Writes;

namespace Switchboard.Alerting;

/// <summary>
/// The alert writes: queued by the passes, sent one batch at a time off the loop, and settled when the answer comes back
/// as a message, so the store's answer is applied on the loop like everything else.
/// </summary>
internal sealed partial class AlertEvaluator
{
    private void Settle(WritesDoneMessage done)
    {
        _writing = false;
        if (done.Error is { } error)
        {
            AlertLog.WriteFailed(_logger, (int)RetryAfterFailure.TotalSeconds, error);
            foreach (var write in done.Writes)
            {
                _settling.Remove(KeyOf(write));
            }

            _retryAt = _time.GetUtcNow() + RetryAfterFailure;
            return;
        }

        for (var i = 0; i < done.Writes.Count; i++)
        {
            var key = KeyOf(done.Writes[i]);
            if (done.Results![i].Event is { } e && e.Seq > _position)
            {
                _settling[key] = e.Seq; // wait for the event, so the state is what the store says before acting again
            }
            else
            {
                _settling.Remove(key);
            }

            if (done.Results[i].Alert is { } alert)
            {
                if (alert.IsOpen)
                {
                    AlertLog.Raised(_logger, alert.Id, alert.RuleId, alert.Subject);
                    if (done.Results[i].ActionSkipped is { } skipped)
                    {
                        AlertLog.ActionSkipped(_logger, alert.Id, alert.RuleId, alert.SessionId, skipped.Detail);
                    }
                }
                else
                {
                    AlertLog.Resolved(_logger, alert.RuleId, alert.Subject, alert.ResolveReason ?? "");
                }
            }
        }
    }

    private static (string, string) KeyOf(SessionWrite write) => write switch
    {
        RaiseAlert r => (r.Alert.RuleId, r.Alert.Subject),
        ResolveAlert r => (r.RuleId, r.Subject),
        _ => throw new ArgumentOutOfRangeException(nameof(write)),
    };

    private void Flush()
    {
        if (_writing || _queued.Count == 0)
        {
            return;
        }

        _writing = true;
        var writes = _queued.ToList();
        _queued.Clear();
        _ = Task.Run(async () =>
        {
            try
            {
                var results = await _writer.WriteManyAsync(writes, _stopping.Token);
                Post(new WritesDoneMessage(writes, results, null));
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                Post(new WritesDoneMessage(writes, null, ex));
            }
            catch (OperationCanceledException)
            {
            }
        });
    }
}

using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Alerts;
using Switchboard.Core.Commands;
using Switchboard.Core.Events;
using Switchboard.Core.Writes;
using Switchboard.Server.Ingest;

namespace Switchboard.Server.Alerts;

/// <summary>
/// The open alerts as the log says, and the writes that make them match the conditions: queued by the passes, sent one
/// batch at a time off the loop, their answer posted back to the inbox and settled on the loop. Until the event of a
/// write comes back, no other write is made for that rule and subject. Used on the evaluator's loop only.
/// </summary>
internal sealed class AlertWrites(WriteIntake writer, AlertInbox inbox, TimeProvider time, ILogger logger, CancellationToken stopping)
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    private readonly Dictionary<(string Rule, string Subject), Alert> _open = [];
    private readonly Dictionary<(string Rule, string Subject), long> _settling = []; // long.MaxValue: write in flight
    private readonly List<SessionWrite> _queued = [];
    private bool _writing;

    public int OpenCount => _open.Count;

    /// <summary>Whether any alert is open or settling: with none, a condition that does not hold has nothing to resolve.</summary>
    public bool Any => _open.Count > 0 || _settling.Count > 0;

    /// <summary>No write queued, in flight or waiting for its event.</summary>
    public bool IsIdle => _settling.Count == 0 && _queued.Count == 0 && !_writing;

    /// <summary>When failed writes may be tried again; <see cref="DateTimeOffset.MaxValue"/> when none failed.</summary>
    public DateTimeOffset RetryAt { get; private set; } = DateTimeOffset.MaxValue;

    public void ClearRetry() => RetryAt = DateTimeOffset.MaxValue;

    /// <summary>Starts again from the open alerts of the live state; nothing is settling.</summary>
    public void Reset(IReadOnlyList<Alert> open)
    {
        _open.Clear();
        foreach (var a in open)
        {
            _open[(a.RuleId, a.Subject)] = a;
        }

        _settling.Clear();
    }

    /// <summary>An alert event applied by the live loop: the open alerts follow it, and a write waiting for it is settled.</summary>
    public void Apply(EventRecord e)
    {
        using var doc = JsonDocument.Parse(e.Data);
        var alert = AlertJson.ReadAlert(doc.RootElement.GetProperty("alert"));
        var key = (alert.RuleId, alert.Subject);
        if (alert.IsOpen)
        {
            _open[key] = alert;
        }
        else if (_open.TryGetValue(key, out var open) && open.Id == alert.Id)
        {
            _open.Remove(key);
        }

        if (_settling.TryGetValue(key, out var until) && until <= e.Seq)
        {
            _settling.Remove(key);
        }
    }

    /// <summary>On a full pass: the sessions with an open alert are looked at again, and the alerts of deleted rules resolved.</summary>
    public void ReviewOpen(AlertRuleSet rules, ObservedSessions sessions)
    {
        foreach (var ((ruleId, subject), alert) in _open)
        {
            if (alert.SessionId is not null)
            {
                sessions.MarkChanged(subject);
            }

            if (!rules.Contains(ruleId))
            {
                Reconcile(ruleId, subject, desired: false, () => null!, null, "rule_deleted");
            }
        }
    }

    /// <summary>Queues the write that makes the open alert of (rule, subject) match <paramref name="desired"/>, unless one is settling.</summary>
    public void Reconcile(string ruleId, string subject, bool desired, Func<Alert> raise, CommandAction? action, string resolveReason)
    {
        var key = (ruleId, subject);
        if (_settling.ContainsKey(key) || desired == _open.ContainsKey(key))
        {
            return;
        }

        // A rule's action rides on the raise: the store issues the command with the alert, once per alert (docs/commands.md).
        _queued.Add(desired ? new RaiseAlert(raise()) { Action = action } : new ResolveAlert(ruleId, subject, resolveReason));
        _settling[key] = long.MaxValue;
    }

    /// <summary>Sends the queued writes unless a batch is in flight; its answer comes back as an <see cref="AlertWritesDone"/>.</summary>
    public void Flush()
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
                var results = await writer.WriteManyAsync(writes, stopping);
                inbox.Post(new AlertWritesDone(writes, results, null));
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                inbox.Post(new AlertWritesDone(writes, null, ex));
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    /// <summary>The answer to the batch in flight; <paramref name="position"/>: the last event applied.</summary>
    public void Settle(AlertWritesDone done, long position)
    {
        _writing = false;
        if (done.Error is { } error)
        {
            AlertLog.WriteFailed(logger, (int)RetryAfterFailure.TotalSeconds, error);
            foreach (var write in done.Writes)
            {
                _settling.Remove(KeyOf(write));
            }

            RetryAt = time.GetUtcNow() + RetryAfterFailure;
            return;
        }

        for (var i = 0; i < done.Writes.Count; i++)
        {
            var key = KeyOf(done.Writes[i]);
            if (done.Results![i].Event is { } e && e.Seq > position)
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
                    AlertLog.Raised(logger, alert.Id, alert.RuleId, alert.Subject);
                    if (done.Results[i].ActionSkipped is { } skipped)
                    {
                        AlertLog.ActionSkipped(logger, alert.Id, alert.RuleId, alert.SessionId, skipped.Detail);
                    }
                }
                else
                {
                    AlertLog.Resolved(logger, alert.RuleId, alert.Subject, alert.ResolveReason ?? "");
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
}

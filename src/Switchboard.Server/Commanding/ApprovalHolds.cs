using Switchboard.Approvals;
using Switchboard.Ingest;
using Switchboard.Live;
using Switchboard.Security;
using Switchboard.Storage;
using Switchboard.Writes;

namespace Switchboard.Commanding;

/// <summary>
/// Waits for the answer to an approval, for a held hook and for the API's long-poll. The wait is a waiter of the
/// <see cref="CommandWatch"/> (woken by the session's command and approval events as this node applies them, from any
/// node: on PostgreSQL through the event feed, never by polling the store), so it is bounded by
/// <c>Commands:MaxWaiters</c> with the commands' long-polls, shared by scope the same way, and costs one small object
/// per held request.
/// </summary>
internal sealed class ApprovalHolds(SessionWriter writer, IApprovalStore store, CommandWatch watch, TimeProvider time, Options.SwitchboardOptions options)
{
    /// <summary>
    /// The approval once it is no longer pending, or as it is when <paramref name="wait"/> passed first (or the node
    /// began to stop); null when this node already holds all the waits it may, or those of <paramref name="scope"/> (the
    /// asker's key's labels scope) hold their share, or the approval is gone.
    /// </summary>
    public async Task<Approval?> WaitAsync(string sessionId, string approvalId, LabelFilter? scope, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var waiter = watch.TryWatch(sessionId, scope);
        if (waiter is null)
        {
            return null;
        }

        var started = time.GetTimestamp();
        while (true)
        {
            waiter.Rearm(); // before the read: an answer committed after it wakes the wait below
            var approval = await store.GetApprovalAsync(approvalId, cancellationToken);
            if (approval is not { IsPending: true })
            {
                return approval;
            }

            var remaining = wait - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero || watch.IsStopping)
            {
                return approval;
            }

            await waiter.WaitAsync(remaining, cancellationToken);
        }
    }

    /// <summary>
    /// Raises an approval for a held hook and waits for its answer at most <paramref name="wait"/>: unanswered by then it is
    /// expired (the store's expiry job would do the same within a second); if the agent goes away first it is withdrawn.
    /// Null when it was not raised (the session is ending, or already has <c>Approvals:MaxPendingPerSession</c> pending) or
    /// not held (the agent then follows its own rules).
    /// </summary>
    public async Task<Approval?> HoldAsync(RequestApproval request, LabelFilter? scope, TimeSpan wait, CancellationToken cancellationToken)
    {
        request = request with { MaxPending = options.Approvals.MaxPendingPerSession };
        var raised = await writer.WriteAsync(ScopedWrites.Within(request, scope), cancellationToken);
        if (raised is not { Error: null, Approval: { } approval })
        {
            return null;
        }

        Approval? answered;
        try
        {
            answered = await WaitAsync(approval.SessionId, approval.Id, scope, wait, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The agent stopped waiting (its hook timed out, it was answered in the terminal, it exited): nobody reads an answer now.
            await writer.WriteAsync(ScopedWrites.Within(new EndApproval(approval.SessionId, approval.Id) { Withdraw = true }, scope), CancellationToken.None);
            throw;
        }

        if (answered is { IsPending: true } || answered is null)
        {
            var end = await writer.WriteAsync(ScopedWrites.Within(new EndApproval(approval.SessionId, approval.Id) { Withdraw = answered is null }, scope),
                CancellationToken.None);
            return end.Approval is { IsPending: false } ended ? ended : answered;
        }

        return answered;
    }
}

using Switchboard.Core.Approvals;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Commands;
using Switchboard.Server.Ingest;
using Switchboard.Server.Live;
using Switchboard.Server.Security;

namespace Switchboard.Server.Approvals;

/// <summary>
/// Waits for the answer to an approval, for a held hook and for the API's long-poll. The wait is a waiter of the
/// <see cref="CommandWatch"/> (woken by the session's command and approval events as this node applies them, from any
/// node: on PostgreSQL through the event feed, never by polling the store), so it is bounded by
/// <c>Commands:MaxWaiters</c> with the commands' long-polls, shared by scope the same way, and costs one small object
/// per held request.
/// </summary>
internal sealed class ApprovalHolds(WriteIntake writer, IRequestStore<Approval, ApprovalState> store, CommandWatch watch, HoldingNode node, TimeProvider time,
    Switchboard.Server.Options.SwitchboardOptions options)
{
    /// <summary>
    /// The approval once it is no longer pending, or as it is when <paramref name="wait"/> passed first (or the node
    /// began to stop, or <paramref name="interrupted"/> said so); null when this node already holds all the waits it may, or
    /// those of <paramref name="scope"/> (the asker's key's labels scope) hold their share, or the approval is gone.
    /// </summary>
    /// <param name="interrupted">Asked before each read (first, and each time the session's command or approval events wake
    /// the wait): true ends the wait, the approval as it is.</param>
    public async Task<Approval?> WaitAsync(string sessionId, string approvalId, LabelFilter? scope, TimeSpan wait, CancellationToken cancellationToken,
        Func<CancellationToken, Task<bool>>? interrupted = null)
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
            var stop = interrupted is not null && await interrupted(cancellationToken);
            var approval = await store.GetAsync(approvalId, cancellationToken);
            if (approval is not { IsPending: true } || stop)
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
    /// Raises an approval held by this node for a held hook and waits for its answer at most <paramref name="wait"/>:
    /// unanswered by then it is expired (the store's expiry job would do the same within a second). It is withdrawn, with
    /// the reason on the log, if the agent goes away first, the node begins to stop, or <paramref name="interrupted"/> (a
    /// cancel reached the hook) says so. Null when it was not raised (the session is ending, or already has
    /// <c>Approvals:MaxPendingPerSession</c> pending); otherwise the approval as it ended, withdrawn when it was not held.
    /// </summary>
    public async Task<Approval?> HoldAsync(RequestApproval request, LabelFilter? scope, TimeSpan wait, CancellationToken cancellationToken,
        Func<CancellationToken, Task<bool>>? interrupted = null)
    {
        request = request with { MaxPending = options.Approvals.MaxPendingPerSession, HeldBy = node.Id };
        var raised = await writer.WriteAsync(ScopedWrites.Within(request, scope), cancellationToken);
        if (raised is not { Error: null, Approval: { } approval })
        {
            return null;
        }

        var stopped = false;
        Approval? answered;
        try
        {
            answered = await WaitAsync(approval.SessionId, approval.Id, scope, wait, cancellationToken,
                interrupted is null ? null : async ct => stopped = await interrupted(ct));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The agent stopped waiting (its hook timed out, it was answered in the terminal, it exited): nobody reads an answer now.
            await EndAsync(approval, scope, ApprovalEndReasons.AgentGone);
            throw;
        }

        if (answered is null || answered.IsPending)
        {
            // Not held at all, interrupted, or the node stops (its hook is answered with no decision next): withdrawn, so no
            // answer is taken for it. Otherwise the wait ran out: expired.
            var reason = stopped ? ApprovalEndReasons.Cancelled
                : watch.IsStopping ? ApprovalEndReasons.NodeStopping // also when the stop came before the wait began
                : answered is null ? ApprovalEndReasons.NotHeld
                : null;
            var ended = await EndAsync(approval, scope, reason);
            return ended is { IsPending: false } ? ended : answered;
        }

        return answered;
    }

    /// <summary>Withdraws the approval for <paramref name="reason"/>, or expires it when null; the approval after the write.</summary>
    private async Task<Approval?> EndAsync(Approval approval, LabelFilter? scope, string? reason)
    {
        var end = new EndApproval(approval.SessionId, approval.Id) { Withdraw = reason is not null, Reason = reason };
        return (await writer.WriteAsync(ScopedWrites.Within(end, scope), CancellationToken.None)).Approval;
    }
}

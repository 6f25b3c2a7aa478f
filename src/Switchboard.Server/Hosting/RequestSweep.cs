using Microsoft.Extensions.Logging;
using Switchboard.Core.Approvals;
using Switchboard.Core.Commands;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Commands;
using Switchboard.Server.Hooks;

namespace Switchboard.Server.Hosting;

/// <summary>
/// One kind's configuration of <see cref="RequestExpiry"/>: where its due requests are found, the write that expires one,
/// the write that withdraws one whose holding node is gone (none: the kind has no holders), and its log.
/// </summary>
internal sealed record RequestSweep(
    Func<DateTimeOffset, int, CancellationToken, Task<IReadOnlyList<(string SessionId, string Id)>>> FindExpired,
    Func<string, string, SessionWrite> Expire,
    Action<string, string> Expired,
    Func<string, int, CancellationToken, Task<IReadOnlyList<(string SessionId, string Id, string Holder)>>> FindUnheld,
    Func<string, string, SessionWrite>? WithdrawUnheld,
    Action<string, string, string>? HolderGone,
    Action<Exception> Failed)
{
    /// <summary>Commands: an outstanding command past its expiry becomes <c>expired</c>; nobody holds one.</summary>
    public static RequestSweep Commands(IRequestStore<Command, CommandState> store, ILogger logger) => new(
        store.FindExpiredAsync, (session, id) => new ExpireCommand(session, id), (session, id) => CommandLog.Expired(logger, id, session),
        store.FindUnheldAsync, null, null, ex => CommandLog.ExpiryFailed(logger, ex));

    /// <summary>
    /// Approvals: a pending approval past its expiry becomes <c>expired</c>; one whose hook was held by a node that died
    /// (killed, its presence lapsed; on SQLite, the previous run) is withdrawn with reason <c>holder_gone</c>, as its
    /// agent's hook failed with that node and no answer can reach it.
    /// </summary>
    public static RequestSweep Approvals(IRequestStore<Approval, ApprovalState> store, ILogger logger) => new(
        store.FindExpiredAsync, (session, id) => new EndApproval(session, id), (session, id) => HookLog.ApprovalExpired(logger, id, session),
        store.FindUnheldAsync, (session, id) => new EndApproval(session, id) { Withdraw = true, Reason = ApprovalEndReasons.HolderGone },
        (session, id, holder) => HookLog.ApprovalHolderGone(logger, id, session, holder), ex => HookLog.ApprovalExpiryFailed(logger, ex));
}

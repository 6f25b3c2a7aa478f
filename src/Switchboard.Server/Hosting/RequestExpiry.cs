using Microsoft.Extensions.Logging;
using Switchboard.Core.Approvals;
using Switchboard.Core.Commands;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Server.Approvals;
using Switchboard.Server.Background;
using Switchboard.Server.Commands;
using Switchboard.Server.Ingest;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Ends the requests to a session nobody answered, of every kind (<see cref="RequestSweep"/>; docs/architecture.md
/// "Requests to a session"), on one supervised periodic job driven by the injected <see cref="TimeProvider"/> (tests
/// advance a manual clock): those past their expiry expire, and those whose holding node is gone are withdrawn. The
/// store owns the expiry, not the node holding a request: one whose node was killed still ends on the log once any node
/// runs this. Each end is re-checked inside the store transaction (<see cref="DueSweep"/>), so an answer that lands
/// first wins and several nodes running this write each end once. A kind whose sweep fails is logged with its own event
/// and retried at the next tick; the other kinds still run.
/// </summary>
internal sealed class RequestExpiry : IDisposable
{
    private readonly IReadOnlyList<RequestSweep> _kinds;
    private readonly WriteIntake _writer;
    private readonly TimeProvider _time;
    private readonly HoldingNode _node;
    private readonly PeriodicJob<int> _job;

    public RequestExpiry(IRequestStore<Command, CommandState> commands, IRequestStore<Approval, ApprovalState> approvals, WriteIntake writer, HoldingNode node,
        TimeProvider time, ILogger<RequestExpiry> logger)
    {
        _kinds = [RequestSweep.Commands(commands, logger), RequestSweep.Approvals(approvals, logger)];
        _writer = writer;
        _time = time;
        _node = node;
        _job = new PeriodicJob<int>(time, SweepAsync, skipped: 0, ex => CommandLog.RequestExpiryFailed(logger, ex));
    }

    public void Start() => _job.Start(SwitchboardDefaults.CommandExpiryInterval, SwitchboardDefaults.CommandExpiryInterval);

    /// <summary>Ends every request that is due now (unless a check is already running). Returns how many ended.</summary>
    public Task<int> CheckAsync() => _job.RunOnceAsync();

    private async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var ended = 0;
        foreach (var kind in _kinds)
        {
            try
            {
                ended += await SweepKindAsync(kind, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                kind.Failed(ex);
            }
        }

        return ended;
    }

    private async Task<int> SweepKindAsync(RequestSweep kind, CancellationToken cancellationToken)
    {
        var ended = await DueSweep.RunAsync(_writer, (limit, ct) => kind.FindExpired(_time.GetUtcNow(), limit, ct), d => kind.Expire(d.SessionId, d.Id),
            d => kind.Expired(d.SessionId, d.Id), cancellationToken);
        if (kind.WithdrawUnheld is { } withdraw)
        {
            ended += await DueSweep.RunAsync(_writer, (limit, ct) => kind.FindUnheld(_node.Id, limit, ct), g => withdraw(g.SessionId, g.Id),
                g => kind.HolderGone?.Invoke(g.SessionId, g.Id, g.Holder), cancellationToken);
        }

        return ended;
    }

    public void Dispose() => _job.Dispose();
}

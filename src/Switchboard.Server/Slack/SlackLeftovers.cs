using Microsoft.Extensions.Logging;
using Switchboard.Core.Approvals;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Server.Background;

namespace Switchboard.Server.Slack;

/// <summary>
/// Takes over the Slack messages a gone node claimed and left undone (<see cref="ISlackStore.FindSlackLeftoversAsync"/>):
/// a post it claimed and died before making, an update of a message it posted. Once at start and every
/// <see cref="SwitchboardDefaults.SlackLeftoverInterval"/>, on its own job; each is read back from the store (the
/// approval, its session) and queued to the <see cref="SlackPoster"/>, whose claims keep two nodes that both found it
/// from sending it twice. This is what bounds a dead claimer's hold: the store's liveness of nodes (PostgreSQL's
/// presence liveness; on SQLite any previous run's claim).
/// </summary>
internal sealed class SlackLeftovers(ISlackStore slack, ISessionStore sessions, IRequestStore<Approval, ApprovalState> approvals, SlackPoster poster,
    string node, TimeProvider time, ILogger logger, BackgroundLoops? loops) : IDisposable
{
    private readonly PeriodicJob<int> _job = new(time, ct => TakeOverAsync(slack, sessions, approvals, poster, node, logger, ct), 0,
        ex => SlackLog.LeftoversFailed(logger, ex), "slack-leftovers", loops);

    public void Start() => _job.Start(TimeSpan.Zero, SwitchboardDefaults.SlackLeftoverInterval);

    public void Dispose() => _job.Dispose();

    public Task Completion => _job.Completion;

    private static async Task<int> TakeOverAsync(ISlackStore slack, ISessionStore sessions, IRequestStore<Approval, ApprovalState> approvals, SlackPoster poster,
        string node, ILogger logger, CancellationToken ct)
    {
        var queued = 0;
        foreach (var (sessionId, id) in await slack.FindSlackLeftoversAsync(node, SwitchboardDefaults.SlackLeftoverBatch, ct))
        {
            if (await approvals.GetAsync(id, ct) is not { } approval)
            {
                continue;
            }

            if (!poster.TryQueue(SlackApproval.Of(approval, await sessions.GetSessionAsync(sessionId, ct))))
            {
                break; // a full queue: the next look finds the rest again
            }

            SlackLog.TakenOver(logger, id);
            queued++;
        }

        return queued;
    }
}

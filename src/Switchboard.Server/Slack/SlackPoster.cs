using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Approvals;
using Switchboard.Core.Hosting;

namespace Switchboard.Server.Slack;

/// <summary>
/// Sends the Slack messages, one at a time in the order the approvals' events were applied, from its own bounded queue:
/// a post for a pending approval, an update once it ended. It alone owns where each message went (<c>channel</c> and
/// <c>ts</c> by approval id), in memory: the store holds approvals, not chat messages, and a message is only worth
/// updating while the node that posted it runs. After a restart (or if another node posted it) an approval's end finds no
/// <c>ts</c>: the update is skipped and logged. A 429 is waited out for as long as its <c>Retry-After</c> says, then the
/// same call is made again; any other failure is logged once and the message is let go.
/// </summary>
internal sealed class SlackPoster(SlackApi api, SlackMessages messages, TimeProvider time, ILogger logger)
{
    private readonly Channel<SlackApproval> _queue = Channel.CreateBounded<SlackApproval>(new BoundedChannelOptions(SwitchboardDefaults.SlackQueuedMessages)
    {
        SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false, FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly OrderedDictionary<string, (string Channel, string Ts)> _posted = new(StringComparer.Ordinal); // the send loop's only

    /// <summary>Messages waiting to be sent.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>Queues the message for <paramref name="approval"/>; false when the queue is full (the caller logs the drop).</summary>
    public bool TryQueue(SlackApproval approval) => _queue.Writer.TryWrite(approval);

    /// <summary>The send loop's body.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await foreach (var approval in _queue.Reader.ReadAllAsync(ct))
        {
            await SendAsync(approval, ct);
        }
    }

    private async Task SendAsync(SlackApproval a, CancellationToken ct)
    {
        var id = a.Approval.Id;
        if (a.Approval.State == ApprovalState.Pending)
        {
            var posted = await CallAsync("chat.postMessage", messages.Request(a), ct);
            if (!posted.Ok || posted.Ts is null)
            {
                SlackLog.CallFailed(logger, "chat.postMessage", id, posted.Error ?? "no ts", "posted");
                return;
            }

            if (_posted.Count >= SwitchboardDefaults.SlackPostedMessages)
            {
                _posted.RemoveAt(0); // the oldest: its approval has most likely ended on a node that did not tell this one
            }

            _posted[id] = (posted.Channel ?? messages.Channel, posted.Ts);
            return;
        }

        if (!_posted.Remove(id, out var where))
        {
            SlackLog.UnknownMessage(logger, id, a.Approval.State.ToWire());
            return;
        }

        var updated = await CallAsync("chat.update", messages.Outcome(a, where.Channel, where.Ts), ct);
        if (!updated.Ok)
        {
            SlackLog.CallFailed(logger, "chat.update", id, updated.Error ?? "unknown", "updated");
        }
    }

    private async Task<SlackReply> CallAsync(string method, byte[] body, CancellationToken ct)
    {
        while (true)
        {
            var reply = await api.CallAsync(method, body, ct);
            if (reply.RetryAfter is not { } wait)
            {
                return reply;
            }

            SlackLog.RateLimited(logger, method, (int)Math.Ceiling(wait.TotalSeconds));
            await Task.Delay(wait, time, ct);
        }
    }
}

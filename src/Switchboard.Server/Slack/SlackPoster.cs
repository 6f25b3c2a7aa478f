using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Approvals;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;

namespace Switchboard.Server.Slack;

/// <summary>
/// Sends the Slack messages, one at a time in the order they were queued, from its own bounded queue: a post for a
/// pending approval, an update once it ended. Every node with Slack sees every approval, so each call is claimed in the
/// store first (<see cref="ISlackStore"/>): the node whose claim took posts and records where the message went, and the
/// update is claimed the same way from that record, whichever node saw the end, so each approval is posted once and
/// updated once. A 429 is waited out for as long as its <c>Retry-After</c> says, then the same call is made again; any
/// other failure is logged once and the message is let go (a post stays claimed, an update counts as made). The node's
/// stop ends the wait for the next message, not the message in hand: its call is seen through and recorded.
/// </summary>
internal sealed class SlackPoster(SlackApi api, SlackMessages messages, ISlackStore store, string node, TimeProvider time, ILogger logger)
{
    private readonly Channel<SlackApproval> _queue = Channel.CreateBounded<SlackApproval>(new BoundedChannelOptions(SwitchboardDefaults.SlackQueuedMessages)
    {
        SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false, FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Messages waiting to be sent.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>Queues the message for <paramref name="approval"/>; false when the queue is full (the caller logs the drop).</summary>
    public bool TryQueue(SlackApproval approval) => _queue.Writer.TryWrite(approval);

    /// <summary>The send loop's body.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await foreach (var approval in _queue.Reader.ReadAllAsync(ct))
        {
            try
            {
                await SendAsync(approval, ct);
            }
            catch (StoreUnavailableException ex)
            {
                SlackLog.StoreFailed(logger, approval.Approval.Id, ex.Message);
            }
        }
    }

    private async Task SendAsync(SlackApproval a, CancellationToken ct)
    {
        var id = a.Approval.Id;
        if (a.Approval.State == ApprovalState.Pending)
        {
            if (!await store.ClaimSlackPostAsync(id, node, ct))
            {
                return; // another node posts it (or this one already did)
            }

            var posted = await CallAsync("chat.postMessage", messages.Request(a), ct);
            if (!posted.Ok || posted.Ts is null)
            {
                SlackLog.CallFailed(logger, "chat.postMessage", id, posted.Error ?? "no ts", "posted");
                return;
            }

            await store.SaveSlackPostAsync(id, node, posted.Channel ?? messages.Channel, posted.Ts, CancellationToken.None);
            return;
        }

        if (await store.ClaimSlackUpdateAsync(id, node, ct) is not { } where)
        {
            SlackLog.NotUpdated(logger, id, a.Approval.State.ToWire());
            return;
        }

        var updated = await CallAsync("chat.update", messages.Outcome(a, where.Channel, where.Ts), ct);
        if (!updated.Ok)
        {
            SlackLog.CallFailed(logger, "chat.update", id, updated.Error ?? "unknown", "updated");
        }

        await store.SaveSlackUpdateAsync(id, node, time.GetUtcNow(), CancellationToken.None);
    }

    private async Task<SlackReply> CallAsync(string method, byte[] body, CancellationToken ct)
    {
        while (true)
        {
            // Not cancelled by the node's stop: a call Slack may already have taken is seen through (bounded by the
            // client's timeout) and recorded, or a graceful restart would post the same approval again.
            var reply = await api.CallAsync(method, body, CancellationToken.None);
            if (reply.RetryAfter is not { } wait)
            {
                return reply;
            }

            SlackLog.RateLimited(logger, method, (int)Math.Ceiling(wait.TotalSeconds));
            await Task.Delay(wait, time, ct);
        }
    }
}

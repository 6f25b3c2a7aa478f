using Microsoft.Extensions.Logging;
using Switchboard.Core.Approvals;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Server.Approvals;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Slack.Options;

namespace Switchboard.Server.Slack;

/// <summary>
/// The Slack app's background work on this node: it follows the approval events the live loop applies (its own bounded
/// <see cref="LiveFeed"/>, as the command watch does: no copy of approvals, no polling) and hands each to the
/// <see cref="SlackPoster"/>'s queue. Two supervised loops, so that Slack being slow or rate limited never holds the feed,
/// and through it the fan-out: the feed's loop only sorts events and drops (and logs) a message when the poster's queue is
/// full; the poster's loop waits on Slack. With several nodes each sees every approval: the poster's claims in the store make
/// one node post it and one update it, and <see cref="SlackLeftovers"/> takes over what a node that died left undone. The
/// node's id in those claims is the one its held hooks carry (<see cref="HoldingNode"/>, the store's liveness). Off
/// (nothing started) unless <c>Switchboard:Slack</c> is set up.
/// </summary>
internal sealed class SlackNotifier : IAsyncDisposable
{
    private readonly LiveHub _live;
    private readonly ILogger _logger;
    private readonly SlackOptions _options;
    private readonly LiveFeed _feed = new(SwitchboardDefaults.SlackPendingEvents);
    private readonly HttpClient? _http;
    private readonly SlackPoster? _poster;
    private readonly SupervisedLoop? _follow;
    private readonly SupervisedLoop? _send;
    private readonly SlackLeftovers? _leftovers;
    private bool _dropping; // the follow loop's only: a full queue is logged once until a message fits again

    public SlackNotifier(LiveHub live, SwitchboardOptions options, ISessionStore store, IRequestStore<Approval, ApprovalState> approvals, HoldingNode node,
        TimeProvider time, ILogger<SlackNotifier> logger, BackgroundLoops? loops = null)
    {
        _live = live;
        _logger = logger;
        _options = options.Slack;
        if (!_options.Enabled)
        {
            return;
        }

        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2), UseCookies = false })
        {
            Timeout = SwitchboardDefaults.SlackRequestTimeout,
        };
        var messages = new SlackMessages(_options.Channel!, _options.DashboardUrl ?? options.PublicUrl!, _options.Operators);
        var slack = store as ISlackStore ?? throw new InvalidOperationException("The configured store does not keep Slack messages (it must implement ISlackStore).");
        _poster = new SlackPoster(new SlackApi(_http, _options.ApiBaseUrl, _options.BotToken!), messages, slack, node.Id, time, logger);
        _leftovers = new SlackLeftovers(slack, store, approvals, _poster, node.Id, time, logger, loops);
        Action<LoopFailure> failed = f => SlackLog.LoopFailed(logger, f.Loop, (long)(f.RestartIn ?? TimeSpan.Zero).TotalMilliseconds, f.Error);
        // Critical as the command watch is: while it is down its feed fills and the fan-out waits for it.
        _follow = new SupervisedLoop("slack-follow", FollowAsync, time, new LoopPolicy { Critical = true }, loops, failed);
        _send = new SupervisedLoop("slack-send", _poster.RunAsync, time, LoopPolicy.Default, loops, failed);
    }

    public void Start()
    {
        if (_follow is null || _send is null)
        {
            return;
        }

        _send.Start();
        _follow.Start();
        _leftovers!.Start();
        SlackLog.Started(_logger, _options.Channel!, _options.Operators.Count);
    }

    public async ValueTask DisposeAsync()
    {
        if (_follow is not null && _send is not null)
        {
            _leftovers!.Dispose();
            await _leftovers.Completion;
            await _follow.StopAsync();
            await _send.StopAsync();
        }

        _http?.Dispose();
    }

    private async Task FollowAsync(CancellationToken token)
    {
        await _live.ObserveAsync(_feed).WaitAsync(token);
        var reader = _feed.Reader;
        try
        {
            while (await reader.WaitToReadAsync(token))
            {
                if (_feed.TakeReset())
                {
                    SlackLog.Resync(_logger, "the live loop rebuilt its state");
                }

                while (reader.TryRead(out var applied))
                {
                    if (applied.Event is { } e && SlackApproval.From(e, applied.After) is { } approval)
                    {
                        Queue(approval);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private void Queue(SlackApproval approval)
    {
        if (_poster!.TryQueue(approval))
        {
            _dropping = false;
        }
        else if (!_dropping)
        {
            _dropping = true;
            SlackLog.QueueFull(_logger, _poster.Queued, approval.Approval.Id);
        }
    }
}

using Microsoft.Extensions.Logging;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Server.Alerts.Options;
using Switchboard.Server.Ingest;
using Switchboard.Server.Live;
using Switchboard.Server.Options;

namespace Switchboard.Server.Alerts;

/// <summary>
/// Raises and resolves alerts. One loop owns the evaluator and its parts — the rules (<see cref="AlertRuleSet"/>), the
/// live projection's active sessions as its feed reports them (<see cref="ObservedSessions"/>), the active counts, the
/// windows, the deadlines and the writes — and reads two bounded inboxes: the events the live loop applied (its
/// <see cref="LiveFeed"/>), and its own messages (<see cref="AlertInbox"/>: deadline ticks, rule changes, the outcome of
/// its writes). Conditions are evaluated as events arrive and, for time-based ones, at their deadline on the injected
/// <see cref="TimeProvider"/>. An alert write is a store write like any other: the store keeps one open alert per rule
/// and subject inside its transaction, so a restarted node or a second node never raises one twice. Its loop is a
/// critical <see cref="SupervisedLoop"/>; a restart rebuilds the state first, as a resync does.
/// </summary>
internal sealed partial class AlertEvaluator : IAsyncDisposable
{
    /// <summary>Events taken from the feed per pass before the evaluator looks at its own messages again.</summary>
    private const int EventsPerPass = 256;

    private readonly LiveHub _live;
    private readonly LiveFeed _feed;
    private readonly AlertInbox _inbox = new();
    private readonly AlertRuleSet _rules;
    private readonly ObservedSessions _sessions = new();
    private readonly ActiveCounts _counts = new();
    private readonly AlertWindows _windows;
    private readonly AlertDeadlines _deadlines;
    private readonly AlertWrites _writes;
    private readonly AlertOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _refreshTimer;
    private readonly SupervisedLoop _loop;
    private long _evaluated = -1;
    private volatile bool _idle;

    public AlertEvaluator(LiveHub live, WriteIntake writer, ISessionStore store, ConfiguredAlertRules configured, SwitchboardOptions options,
        TimeProvider time, ILogger<AlertEvaluator> logger, BackgroundLoops? loops = null)
    {
        _live = live;
        _options = options.Alerts;
        _time = time;
        _logger = logger;
        _feed = new LiveFeed(options.Alerts.MaxPendingEvents);
        _rules = new AlertRuleSet(store as IAlertStore, configured, logger);
        _windows = new AlertWindows(store, new HashSet<string>(options.Usage.GroupBy, StringComparer.Ordinal), time, logger);
        _deadlines = new AlertDeadlines(time.CreateTimer(static s => ((AlertInbox)s!).PostTick(), _inbox, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan), time);
        _writes = new AlertWrites(writer, _inbox, time, logger, _stopping.Token);
        _loop = new SupervisedLoop("alert-evaluator", ResumeAsync, time, new LoopPolicy { Critical = true }, loops, stopping: _stopping.Token);
    }

    /// <summary>The log position the evaluator has applied and evaluated (timers armed, writes queued); -1 before it starts.</summary>
    public long EvaluatedThrough => Volatile.Read(ref _evaluated);

    /// <summary>True when, as of <see cref="EvaluatedThrough"/>, no alert write is queued, in flight or waiting for its event.</summary>
    public bool IsIdle => _idle;

    /// <summary>Applied events and messages waiting (for the <c>switchboard.alerts.inbox</c> gauge).</summary>
    public int InboxDepth => _feed.Count + _inbox.Count;

    /// <summary>Rules changed on this node: re-read them now.</summary>
    public void RulesChanged() => _inbox.PostRulesChanged();

    /// <summary>
    /// Test hook: the evaluator's loop stops at its next message until <paramref name="until"/> completes, as a slow
    /// evaluator would. The returned task completes once the loop is held, so a test knows no event is taken after it.
    /// </summary>
    internal Task Hold(Task until)
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inbox.Post(new AlertHold(until, held));
        return held.Task;
    }

    /// <summary>Starts the loop; it attaches to the live loop and loads the rules first.</summary>
    public void Start()
    {
        if (!_options.Enabled)
        {
            return;
        }

        _refreshTimer = _time.CreateTimer(static s => ((AlertInbox)s!).PostRulesChanged(), _inbox, _options.RuleRefreshInterval, _options.RuleRefreshInterval);
        _inbox.Post(new AlertResync("start"));
        _loop.Start();
    }

    /// <summary>The loop; after a failure its state may be half-applied, so a restart rebuilds it before anything else.</summary>
    private async Task ResumeAsync(CancellationToken token)
    {
        if (_loop.Restarts > 0 && !await HandleSafelyAsync(new AlertResync("restarted after a failure")))
        {
            return;
        }

        await RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _inbox.Complete();
        _feed.Complete();
        await _stopping.CancelAsync();
        await _deadlines.DisposeAsync();
        if (_refreshTimer is not null)
        {
            await _refreshTimer.DisposeAsync();
        }

        await _loop.StopAsync();
    }

    private async Task RunAsync()
    {
        while (!_inbox.Completion.IsCompleted)
        {
            var handled = false;
            while (_inbox.TryRead(out var message))
            {
                handled = true;
                if (!await HandleSafelyAsync(message))
                {
                    return;
                }
            }

            if (_feed.TakeReset() && _position >= 0 && !await HandleSafelyAsync(new AlertResync("the live loop rebuilt its state")))
            {
                return;
            }

            for (var i = 0; i < EventsPerPass && _feed.Reader.TryRead(out var applied); i++)
            {
                handled = true;
                Apply(applied);
            }

            if (handled)
            {
                try
                {
                    EvaluatePass();
                }
                catch (Exception ex) when (!_stopping.IsCancellationRequested)
                {
                    AlertLog.MessageFailed(_logger, "evaluation", ex);
                }

                continue;
            }

            var messages = _inbox.WaitToReadAsync();
            var events = _feed.Reader.WaitToReadAsync();
            if (!messages.IsCompleted && !events.IsCompleted)
            {
                await Task.WhenAny(messages.AsTask(), events.AsTask());
            }
        }
    }

    /// <summary>False when the evaluator is stopping.</summary>
    private async Task<bool> HandleSafelyAsync(AlertMessage message)
    {
        try
        {
            await HandleAsync(message);
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            AlertLog.MessageFailed(_logger, message.GetType().Name, ex);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        return true;
    }

    private async Task HandleAsync(AlertMessage message)
    {
        switch (message)
        {
            case AlertTick:
                _fullPass = true;
                _deadlines.Passed();
                break;
            case AlertRulesChanged:
                await LoadRulesAsync();
                await _windows.SyncAsync(_rules.Current, _stopping.Token);
                _fullPass = true;
                break;
            case AlertResync resync:
                await ResyncAsync(resync.Reason);
                break;
            case AlertWritesDone done:
                _writes.Settle(done, _position);
                break;
            case AlertHold hold:
                hold.Held.SetResult();
                await hold.Until.WaitAsync(_stopping.Token);
                break;
        }
    }
}

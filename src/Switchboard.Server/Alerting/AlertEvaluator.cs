using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Alerts;
using Switchboard.Events;
using Switchboard.Ingest;
using Switchboard.Live;
using Switchboard.Options;
using Switchboard.Sessions;
using Switchboard.Storage;
using Switchboard.Writes;

namespace Switchboard.Alerting;

/// <summary>
/// Raises and resolves alerts. One loop owns all of its state (the active sessions as the live loop applied them, the
/// open alerts, the rules, the next deadline) and reads two bounded inboxes: the events the live loop applied (its
/// <see cref="LiveFeed"/>), and its own messages (deadline ticks, rule changes, the outcome of its own writes). Conditions are evaluated as events arrive and, for time-based ones, at
/// their deadline on the injected <see cref="TimeProvider"/>. An alert write is a store write like any other: the store
/// keeps one open alert per rule and subject inside its transaction, so a restarted node or a second node never raises
/// one twice. Until the event of a write it made comes back, the evaluator makes no other write for that rule and subject.
/// Its loop is a critical <see cref="SupervisedLoop"/>; a restart rebuilds the state first, as a resync does.
/// </summary>
internal sealed partial class AlertEvaluator : IAsyncDisposable
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    // Owned by the loop.
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Rule, string Subject), Alert> _open = [];
    private readonly Dictionary<(string Rule, string Subject), long> _settling = []; // long.MaxValue: write in flight
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly List<SessionWrite> _queued = [];
    private IReadOnlyList<AlertRule> _rules = [];
    private int[] _activeCounts = []; // per rule (by index in _rules): active sessions in its scope, for active_count rules
    private long _position = -1;
    private bool _countsChanged;
    private bool _windowsChanged;
    private bool _fullPass;
    private bool _writing;
    private DateTimeOffset _retryAt = DateTimeOffset.MaxValue;
    private DateTimeOffset _armedFor = DateTimeOffset.MaxValue;

    private readonly LiveHub _live;
    private readonly SessionWriter _writer;
    private readonly IAlertStore? _store;
    private readonly ISessionStore _log;
    private readonly HashSet<string> _groupBy;
    private readonly ConfiguredAlertRules _configured;
    private readonly AlertOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _deadlineTimer;
    private ITimer? _refreshTimer;
    private readonly SupervisedLoop _loop;

    public AlertEvaluator(LiveHub live, SessionWriter writer, ISessionStore store, ConfiguredAlertRules configured, SwitchboardOptions options,
        TimeProvider time, ILogger<AlertEvaluator> logger, BackgroundLoops? loops = null)
    {
        _live = live;
        _writer = writer;
        _store = store as IAlertStore;
        _log = store;
        _groupBy = new HashSet<string>(options.Usage.GroupBy, StringComparer.Ordinal);
        _configured = configured;
        _options = options.Alerts;
        _time = time;
        _logger = logger;
        _feed = new LiveFeed(options.Alerts.MaxPendingEvents);
        _loop = new SupervisedLoop("alert-evaluator", ResumeAsync, time, new LoopPolicy { Critical = true }, loops, stopping: _stopping.Token);
    }

    /// <summary>The log position the evaluator has applied and evaluated (timers armed, writes queued); -1 before it starts.</summary>
    public long EvaluatedThrough => Volatile.Read(ref _evaluated);

    private long _evaluated = -1;
    private volatile bool _idle;

    /// <summary>True when, as of <see cref="EvaluatedThrough"/>, no alert write is queued, in flight or waiting for its event.</summary>
    public bool IsIdle => _idle;

    /// <summary>Starts the loop; it attaches to the live loop and loads the rules first.</summary>
    public void Start()
    {
        if (!_options.Enabled)
        {
            return;
        }

        _deadlineTimer = _time.CreateTimer(static s => ((AlertEvaluator)s!).PostTick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _refreshTimer = _time.CreateTimer(static s => ((AlertEvaluator)s!).RulesChanged(), this, _options.RuleRefreshInterval, _options.RuleRefreshInterval);
        Post(new ResyncMessage("start"));
        _loop.Start();
    }

    /// <summary>The loop; after a failure its state may be half-applied, so a restart rebuilds it before anything else.</summary>
    private async Task ResumeAsync(CancellationToken token)
    {
        if (_loop.Restarts > 0 && !await HandleSafelyAsync(new ResyncMessage("restarted after a failure")))
        {
            return;
        }

        await RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _inbox.Writer.TryComplete();
        _feed.Complete();
        await _stopping.CancelAsync();
        if (_deadlineTimer is not null)
        {
            await _deadlineTimer.DisposeAsync();
        }

        if (_refreshTimer is not null)
        {
            await _refreshTimer.DisposeAsync();
        }

        await _loop.StopAsync();
    }

    private async Task ResyncAsync(string reason)
    {
        if (_position >= 0)
        {
            AlertLog.Resync(_logger, reason);
        }

        await LoadRulesAsync();
        var state = await _live.ObserveAsync(_feed).WaitAsync(_stopping.Token);
        _sessions.Clear();
        foreach (var s in state.ActiveSessions)
        {
            _sessions[s.Id] = s;
        }

        ResetWaiting();

        _open.Clear();
        foreach (var a in state.OpenAlerts)
        {
            _open[(a.RuleId, a.Subject)] = a;
        }

        RecountActive();
        _settling.Clear();
        _windows.Clear();
        await SyncWindowsAsync();
        _position = state.HeadSeq;
        _fullPass = true;
        AlertLog.Started(_logger, _position, _rules.Count, _sessions.Count, _open.Count);
    }

    private async Task LoadRulesAsync()
    {
        if (_store is null)
        {
            _rules = _configured.Rules;
        }
        else
        {
            try
            {
                var stored = await _store.ListAlertRulesAsync(_stopping.Token);
                _rules = [.. _configured.Rules, .. stored.Where(r => _configured.Find(r.Id) is null)];
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                AlertLog.RulesLoadFailed(_logger, ex);
                if (_rules.Count == 0)
                {
                    _rules = _configured.Rules;
                }
            }
        }

        RecountActive();
    }

    /// <summary>One event the live loop applied, in seq order; events at or before the start position are already in the state.</summary>
    private void Apply(EventRecord e, Session? after)
    {
        if (_position < 0 || e.Seq <= _position)
        {
            return;
        }

        _position = e.Seq;
        if (EventTypes.IsAlert(e.Type))
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

            return;
        }

        if (e.SessionId is not { } id)
        {
            return;
        }

        var before = _sessions.GetValueOrDefault(id);
        CountInWindows(e, before, after ?? e.Session);
        var active = after is { IsActive: true } ? after : null;
        CountActive(before, active);
        TrackWaiting(id, before, active);
        if (active is not null)
        {
            _sessions[id] = active;
        }
        else
        {
            _sessions.Remove(id);
        }

        _dirty.Add(id);
        RollUpAncestors(e);
    }
}

using Microsoft.Extensions.Hosting;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Server.Options;

namespace Switchboard.Server.Live;

/// <summary>
/// The live loop: one task that owns the live state (<see cref="LiveState"/>) and takes one message at a time from its
/// inbox, handing each to the handler of its concern; then it fans out a chunk of committed events and ends the pass.
/// It supervises: a message that fails is logged and answered with its error; a fault in the fan-out itself, or a log
/// that moved under the node, goes to recovery (<see cref="HealthHandler"/>). It runs as a <see cref="SupervisedLoop"/>
/// that never restarts: that recovery is its restart, and a crash past it is a bug after which its state cannot be
/// trusted, so the node stops instead.
/// </summary>
internal sealed class LiveLoop
{
    /// <summary>Messages handled before the next chunk of events, so joins and reads never wait behind a long backlog.</summary>
    private const int MessagesPerPass = 512;

    /// <summary>
    /// Connections an idle loop writes to itself at the end of a pass; the rest are woken in the pool, so one event for
    /// thousands of subscribers is written by every core, not the loop's alone.
    /// </summary>
    private const int InlineWakesPerPass = 64;

    private readonly LiveState _state;
    private readonly LiveInbox _inbox;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly MessageRoutes _routes = new();
    private readonly ProjectionHandler _projection;
    private readonly HealthHandler _health;
    private readonly LiveHandler[] _handlers;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SupervisedLoop _run;

    public LiveLoop(LiveState state, LiveInbox inbox, AdmissionGate admission, ISessionStore store, SwitchboardOptions? switchboard,
        IHostApplicationLifetime? lifetime, IWebhookStatusSource? webhookStatus)
    {
        _state = state;
        _inbox = inbox;
        _lifetime = lifetime;
        var usage = new UsageHandler(state, [.. (switchboard?.Usage.GroupBy ?? []).Distinct(StringComparer.Ordinal)], inbox);
        var summary = new SummaryHandler(state, inbox);
        var presence = new PresenceHandler(state, store.Presence, inbox);
        var openRequests = new OpenRequestsHandler(state.Projection);
        var trees = new TreeHandler(state);
        _projection = new ProjectionHandler(state, admission, usage.Fanout, openRequests, inbox, trees);
        var webhooks = new WebhooksHandler(state, webhookStatus, inbox);
        var joins = new JoinHandler(state, presence, usage, summary, openRequests, webhooks);
        var reads = new ReadHandler(state);
        _health = new HealthHandler(state, store, lifetime, _projection, summary);

        // One handler per concern, in the order each pass ends: the summary's frames go before usage pushes (both ride the
        // pass's one wake-up), the counters are published last.
        _handlers = [_projection, reads, joins, presence, summary, usage, webhooks, openRequests, trees, _health];
        foreach (var handler in _handlers)
        {
            handler.Register(_routes);
        }

        _run = new SupervisedLoop("live", _ => RunAsync(), state.Time, new LoopPolicy { MaxFailures = 1, Critical = true }, state.Loops, Crashed,
            _stopping.Token);
    }

    /// <summary>The concerns, for tests: every message type has one handler.</summary>
    internal MessageRoutes Routes => _routes;

    /// <summary>Loads the state at the log head and starts the loop.</summary>
    public void Start(StoreState loaded)
    {
        _state.Projection.Load(loaded);
        _state.Published.Position(_state.Projection);
        _state.Published.Health = LiveHealth.Running;
        _run.Start();
        _ = _run.Completion.ContinueWith(_ => OnEnded(), TaskScheduler.Default);
        foreach (var handler in _handlers)
        {
            handler.Started();
        }
    }

    public async Task StopAsync()
    {
        _inbox.Complete();
        await _stopping.CancelAsync();
        await _run.StopAsync();

        foreach (var handler in _handlers)
        {
            await handler.DisposeAsync();
        }
    }

    private async Task RunAsync()
    {
        var inbox = _inbox;
        while (true)
        {
            for (var i = 0; i < MessagesPerPass && inbox.TryRead(out var message); i++)
            {
                Handle(message);
            }

            if (_health.TakeReload() is { } reason)
            {
                await _health.RecoverAsync(reason, error: null, hold: null, _handlers, _stopping.Token);
            }

            var dispatched = 0;
            if (CanDispatch)
            {
                try
                {
                    dispatched = _projection.DispatchChunk();
                }
                catch (Exception ex)
                {
                    await _health.RecoverAsync($"the fan-out failed: {ex.Message}", ex, _projection.TakeFaultHold(), _handlers, _stopping.Token);
                    continue;
                }
            }

            EndPass(dispatched);
            if (inbox.HasMessages || CanDispatch)
            {
                continue;
            }

            if (!await inbox.WaitToReadAsync())
            {
                break;
            }
        }

        Stopped();
    }

    private bool CanDispatch => _projection.CanDispatch && _state.Published.Health.Status == LiveStatus.Running;

    private void Handle(LiveMessage message)
    {
        try
        {
            _routes.Dispatch(message);
        }
        catch (Exception ex)
        {
            LiveLog.MessageFailed(_state.Logger, message.GetType().Name, ex);
            message.Fail(ex);
        }
    }

    /// <summary>After each pass: each concern's end of pass, then one wake-up per connection and the published position.</summary>
    private void EndPass(int dispatched)
    {
        var pass = new LivePass(dispatched, _state.Time.GetUtcNow());
        foreach (var handler in _handlers)
        {
            handler.EndPass(pass);
        }

        // A loop about to go idle starts its connections' writes itself: at everyday rates a pass is one event for a few
        // dashboards, and a pool thread woken per connection cost more than the write. A busy loop (or a large fan-out)
        // keeps its time for the fan-out and hands the writes to the pool, as before.
        _state.WakeAll(_inbox.HasMessages || CanDispatch ? 0 : InlineWakesPerPass);
        _state.Published.Position(_state.Projection);
    }

    /// <summary>The inbox was completed: whoever still waits is told the node is stopping.</summary>
    private void Stopped()
    {
        var stopping = new ObjectDisposedException(nameof(LiveHub), "Switchboard is shutting down.");
        while (_inbox.TryRead(out var message))
        {
            message.Fail(stopping);
        }

        foreach (var handler in _handlers)
        {
            handler.Stopped(stopping);
        }

        _state.Published.Health = new LiveHealth(LiveStatus.Stopped, "stopping");
        LiveLog.LoopStopped(_state.Logger, _state.Projection.HeadSeq);
    }

    /// <summary>Everything inside is caught; reaching this is a bug, and a node without its loop delivers nothing.</summary>
    private void Crashed(LoopFailure failure)
    {
        _state.Published.Health = new LiveHealth(LiveStatus.Failed, "the live loop crashed: " + failure.Error.GetBaseException().Message);
        LiveLog.LoopCrashed(_state.Logger, failure.Error.GetBaseException());
    }

    /// <summary>After the loop ended, off it: a loop that gave up stops the node.</summary>
    private void OnEnded()
    {
        if (_run.Health.Status == LoopStatus.GaveUp)
        {
            Environment.ExitCode = 1;
            _lifetime?.StopApplication();
        }
    }
}

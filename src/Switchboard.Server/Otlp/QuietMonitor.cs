using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Ingest;
using Switchboard.Server.Options;
using Switchboard.Server.Otlp.Mapping;
using Switchboard.Server.Otlp.Options;

namespace Switchboard.Server.Otlp;

/// <summary>
/// Moves sessions from OpenTelemetry and hooks that went quiet: working with no telemetry for <see cref="OtlpOptions.IdleAfter"/>
/// becomes idle (not a session whose hooks say its state: they say idle themselves), any state for
/// <see cref="OtlpOptions.EndAfter"/> becomes terminated, so a dead agent never stays working (nor one whose terminal closed
/// before its hooks said <c>SessionEnd</c>).
/// One loop owns what it knows (when each session was last heard from, its version and state); receivers never wait for
/// it: what they observe is merged, one entry per session, into what the loop takes next, and the loop is woken once, so
/// however long a pass takes what waits is bounded by the sessions there are (as are the timer's ticks: one at a time). Timer ticks come from the injected <see cref="TimeProvider"/>. Its writes carry the
/// version it last saw, so a session another node heard from meanwhile is left alone (and looked at again).
/// After a start it first loads the active sessions from OpenTelemetry and gives each a full quiet period. A store
/// that cannot be reached (PostgreSQL restarting) is logged once and retried on the next tick. Its loop is a
/// <see cref="SupervisedLoop"/>.
/// </summary>
internal sealed partial class QuietMonitor : IHostedService, IAsyncDisposable
{
    private const int WritesPerCommit = 500;

    // Holds at most one Seen and one Tick (and the Checks a caller is waiting for). Not SingleReader, so it can count.
    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions
    {
        AllowSynchronousContinuations = false,
    });
    private readonly Dictionary<string, Track> _tracks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Track> _seen = new(StringComparer.Ordinal); // observed, not yet taken by the loop; under its own lock
    private int _tickQueued;
    private readonly WriteIntake _writer;
    private readonly ISessionStore _store;
    private readonly TimeProvider _time;
    private readonly OtlpOptions _options;
    private readonly bool _enabled;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private ITimer? _timer;
    private readonly SupervisedLoop _loop;
    private bool _loaded;
    private bool _failing;

    public QuietMonitor(WriteIntake writer, ISessionStore store, TimeProvider time, SwitchboardOptions options, ILogger<QuietMonitor> logger,
        BackgroundLoops? loops = null)
    {
        _writer = writer;
        _store = store;
        _time = time;
        _options = options.Otlp;
        _enabled = options.Otlp.Enabled || options.Hooks.Enabled;
        _logger = logger;
        _loop = new SupervisedLoop("quiet-monitor", LoopAsync, time, loops: loops, stopping: _stop.Token);
    }

    /// <summary>How often it looks: a quarter of the idle period, from 1 s to 5 s.</summary>
    public TimeSpan Period => TimeSpan.FromTicks(Math.Clamp(_options.IdleAfter.Ticks / 4, TimeSpan.TicksPerSecond, 5 * TimeSpan.TicksPerSecond));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_enabled)
        {
            _loop.Start();
            _timer = _time.CreateTimer(static s => ((QuietMonitor)s!).TickOnce(), this, Period, Period);
        }

        return Task.CompletedTask;
    }

    /// <summary>Looks now (after everything posted before), for tests and callers that advanced the clock. Returns the sessions moved.</summary>
    public Task<int> CheckAsync()
    {
        var check = new Check();
        return _inbox.Writer.TryWrite(check) ? check.Done.Task : Task.FromResult(0);
    }

    private async Task LoopAsync(CancellationToken token)
    {
        try
        {
            while (await _inbox.Reader.WaitToReadAsync(token))
            {
                while (_inbox.Reader.TryRead(out var message))
                {
                    switch (message)
                    {
                        case Seen:
                            TakeSeen();
                            break;
                        case Check check:
                            TakeSeen(); // everything posted before the check counts
                            check.Done.TrySetResult(await RunAsync());
                            break;
                        default:
                            Volatile.Write(ref _tickQueued, 0);
                            TakeSeen();
                            await RunAsync();
                            break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private void Remember(string id, DateTimeOffset at, long version, SessionState state, bool hooked, Ending? end)
    {
        if (state == SessionState.Terminated)
        {
            _tracks.Remove(id);
        }
        else if (!_tracks.TryGetValue(id, out var track) || track.Version <= version)
        {
            var last = track is not null && track.LastSeen > at ? track.LastSeen : at;
            _tracks[id] = new Track(last, version, state, hooked, Ending.Merge(track?.End, end));
        }
        else if (end is not null)
        {
            _tracks[id] = track with { End = Ending.Merge(track.End, end) };
        }
    }

    /// <summary>One pass; a failure is logged once (until a pass succeeds) and the next tick retries.</summary>
    private async Task<int> RunAsync()
    {
        try
        {
            var moved = await MoveQuietAsync(_stop.Token);
            if (_failing)
            {
                _failing = false;
                OtlpLog.QuietCheckRecovered(_logger);
            }

            return moved;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception ex)
        {
            if (!_failing)
            {
                _failing = true;
                OtlpLog.QuietCheckFailed(_logger, ex);
            }

            return 0;
        }
    }

    private async Task<int> MoveQuietAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (!_loaded)
        {
            await LoadAsync(now, ct);
            _loaded = true;
        }

        var due = new List<SessionWrite>();
        foreach (var (id, track) in _tracks)
        {
            var quiet = now - track.LastSeen;
            if (track.End is { Reason: not null } end && now >= end.At)
            {
                // Its hooks said SessionEnd; the grace for its last telemetry is over. Whatever its version now.
                due.Add(new TerminateSession(id) { Reason = end.Reason });
            }
            else if (quiet >= _options.EndAfter)
            {
                due.Add(new TerminateSession(id) { Reason = "quiet", ExpectedVersion = track.Version });
            }
            else if (quiet >= _options.IdleAfter && track.State == SessionState.Working && !track.Hooked)
            {
                due.Add(new UpdateSession(id) { State = SessionState.Idle, ExpectedVersion = track.Version });
            }
        }

        var moved = 0;
        for (var start = 0; start < due.Count; start += WritesPerCommit)
        {
            var chunk = due.GetRange(start, Math.Min(WritesPerCommit, due.Count - start));
            var results = await _writer.WriteManyAsync(chunk, ct);
            for (var i = 0; i < results.Count; i++)
            {
                var id = SessionTransitions.TargetId(chunk[i])!;
                if (results[i].Session is { } session && results[i].Error is null)
                {
                    moved++;
                    OtlpLog.Quiet(_logger, id, now - _tracks[id].LastSeen, session.State.ToWire());
                    Remember(id, _tracks[id].LastSeen, session.Version, session.State, session.AcceptsCommands, null);
                }
                else if (results[i].Error?.Code == "version_conflict" && await _store.GetSessionAsync(id, ct) is { } current)
                {
                    // Changed elsewhere (another node heard from it, or a client): a fresh quiet period from now.
                    _tracks[id] = new Track(now, current.Version, current.State, current.AcceptsCommands, _tracks[id].End);
                    if (current.State == SessionState.Terminated)
                    {
                        _tracks.Remove(id);
                    }
                }
                else
                {
                    _tracks.Remove(id);
                }
            }
        }

        return moved;
    }

    /// <summary>
    /// The active sessions from OpenTelemetry and from hooks, each given a full quiet period from now (they may have been
    /// quiet while this node was down).
    /// </summary>
    private async Task LoadAsync(DateTimeOffset now, CancellationToken ct)
    {
        await LoadAsync(TelemetryMap.SourceValue, now, ct);
        await LoadAsync(TelemetryMap.HookSourceValue, now, ct);
    }

    private async Task LoadAsync(string source, DateTimeOffset now, CancellationToken ct)
    {
        var labels = new Dictionary<string, string> { [TelemetryMap.SourceLabel] = source };
        long? cursor = null;
        do
        {
            var page = await _store.ListSessionsAsync(new SessionQuery { Active = true, Labels = labels, BeforeCreatedSeq = cursor, Limit = 500 }, ct);
            foreach (var s in page.Sessions)
            {
                if (!_tracks.ContainsKey(s.Id))
                {
                    _tracks[s.Id] = new Track(now, s.Version, s.State, s.AcceptsCommands, null);
                }
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
        }

        _inbox.Writer.TryComplete();
        await _stop.CancelAsync();
        await _loop.StopAsync();
        while (_inbox.Reader.TryRead(out var message))
        {
            (message as Check)?.Done.TrySetResult(0);
        }
    }

    /// <param name="Hooked">The session accepts commands (its hooks, or its producer, say its state): never moved to idle, only ended after <see cref="OtlpOptions.EndAfter"/>.</param>
    /// <param name="End">When and why to end it: its hooks said <c>SessionEnd</c>, and its telemetry has until then to arrive.</param>
    private sealed record Track(DateTimeOffset LastSeen, long Version, SessionState State, bool Hooked, Ending? End = null);

    /// <summary>A session to end at <paramref name="At"/> with <paramref name="Reason"/> (<see cref="Ends"/>); <see cref="None"/> calls an end off.</summary>
    private sealed record Ending(DateTimeOffset At, string? Reason)
    {
        public static readonly Ending None = new(DateTimeOffset.MaxValue, null);

        /// <summary>What a track knows after <paramref name="later"/> (null: nothing new) is merged into <paramref name="known"/>.</summary>
        public static Ending? Merge(Ending? known, Ending? later) => later is null ? known : later.Reason is null ? null : later;
    }

    /// <summary>Something was observed: take <see cref="_seen"/>. One instance.</summary>
    private sealed class Seen
    {
        public static readonly Seen Instance = new();
    }

    private sealed class Check
    {
        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}

using System.Collections.Immutable;
using Switchboard.Client.Http;

namespace Switchboard.Client;

/// <summary>
/// A local copy of the active sessions and the summary, kept current from the <c>sessions</c> topic. It is seeded
/// from the join snapshot (the newest sessions) plus every further page of <c>GET /api/sessions?active=true</c>, merged
/// by <see cref="Session.Version"/> so older data never overwrites newer; terminated sessions are removed. After a
/// reconnect it resumes by seq, or rebuilds itself from a fresh snapshot when the gap can no longer be filled.
/// Reads are lock-free snapshots; <see cref="Changed"/> is raised on the view's own task after each item is applied.
/// </summary>
public sealed partial class LiveSessionView : IAsyncDisposable
{
    private readonly SwitchboardClient _client;
    private readonly LiveSessionViewOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile State _state = new(ImmutableDictionary<string, Session>.Empty.WithComparers(StringComparer.Ordinal), null, null, false);
    private Task? _run;

    /// <summary>A view of the server behind <paramref name="client"/>; call <see cref="StartAsync"/> to fill it.</summary>
    public LiveSessionView(SwitchboardClient client, LiveSessionViewOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new LiveSessionViewOptions();
    }

    /// <summary>Active sessions by id.</summary>
    public IReadOnlyDictionary<string, Session> Sessions => _state.Sessions;

    /// <summary>The latest summary, or null before the first one.</summary>
    public Summary? Summary => _state.Summary;

    /// <summary>The fleet pause flag as last reported.</summary>
    public bool IsFleetPaused => _state.FleetPaused;

    /// <summary>The last log position applied, or null before the first snapshot.</summary>
    public StreamPosition? Position => _state.Position;

    /// <summary>Resets so far (the first snapshot included).</summary>
    public int Resets { get; private set; }

    /// <summary>Exact resumes after reconnecting.</summary>
    public int Resumes { get; private set; }

    /// <summary>Raised after each stream item is applied. A handler that throws stops the view (see <see cref="Completion"/>).</summary>
    public event EventHandler<LiveViewChangedEventArgs>? Changed;

    /// <summary>Completes when the view stops: faulted if the subscription failed for good.</summary>
    public Task Completion => _run ?? Task.CompletedTask;

    /// <summary>Starts following the server; completes once the first snapshot (with every page) is loaded.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_run is not null)
        {
            throw new InvalidOperationException("The view is already started.");
        }

        _run = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        var first = await Task.WhenAny(_ready.Task, _run).WaitAsync(cancellationToken).ConfigureAwait(false);
        await first.ConfigureAwait(false); // surfaces a failure of the run before the first snapshot
    }

    /// <summary>Stops following the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            try
            {
                await _run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (SwitchboardSubscriptionException)
            {
            }
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var subscribe = _options.Subscription with { Labels = _options.Labels, SnapshotLimit = _options.SnapshotLimit };
        for (var failures = 0; !cancellationToken.IsCancellationRequested; failures++)
        {
            try
            {
                await foreach (var item in _client.SubscribeAsync("sessions", null, subscribe, cancellationToken).ConfigureAwait(false))
                {
                    var change = await ApplyAsync(item, cancellationToken).ConfigureAwait(false);
                    RollUp(item);
                    Changed?.Invoke(this, change);
                    if (item is SnapshotReset)
                    {
                        _ready.TrySetResult();
                        failures = 0;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or SwitchboardApiException or IOException)
            {
                // Reading the pages of a snapshot failed, so the copy may be incomplete: start over from a fresh snapshot.
                await Task.Delay(Backoff.Jittered(failures + 1, subscribe.ReconnectBaseDelay, subscribe.ReconnectMaxDelay),
                    _client.Options.TimeProvider, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private sealed record State(ImmutableDictionary<string, Session> Sessions, Summary? Summary, StreamPosition? Position, bool FleetPaused);
}

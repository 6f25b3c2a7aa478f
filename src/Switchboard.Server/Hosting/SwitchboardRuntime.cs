using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Approvals;
using Switchboard.Core.Commands;
using Switchboard.Core.Storage;
using Switchboard.Server.Alerts;
using Switchboard.Server.Health;
using Switchboard.Server.Ingest;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Transports;
using Switchboard.Server.Transports.LongPoll;
using Switchboard.Server.Transports.WebSockets;
using Switchboard.Server.Webhooks;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Starts and stops a node in order: open the store, load live state at the log head, start the feed after that head,
/// then accept writes. Stopping goes the other way: the node reports not ready and takes no new streams (API responses
/// carry <c>Connection: close</c>), waits <see cref="SwitchboardOptions.ShutdownDrainDelay"/> for load balancers to
/// notice, closes stream clients with 1001 (they reconnect and resume elsewhere or after the restart), lets the server
/// answer the requests in flight, and only then stops the pipeline, so every accepted write is committed.
/// <para>
/// The runtime owns that order also when the host never finished starting (a later hosted service failed, an OTLP/gRPC
/// address was taken): the host then calls no <c>StopAsync</c> and only disposes its services, in the container's order,
/// which has the store at several places (every store view registered by a factory is one more). Disposing the runtime
/// stops what it started, in order, before the container reaches the store. The store views are its constructor's
/// parameters for that reason: resolved before it, they are disposed after it.
/// </para>
/// </summary>
internal sealed class SwitchboardRuntime(
    ISessionStore store,
    IAlertStore alertStore,
    IRequestStore<Command, CommandState> commandStore,
    IRequestStore<Approval, ApprovalState> approvalStore,
    ITreeStore treeStore,
    IWebhookStore webhookStore,
    GroupCommit pipeline,
    LiveHub live,
    NodeReadiness readiness,
    LeaseMonitor leases,
    AlertEvaluator alerts,
    Switchboard.Server.Commands.CommandWatch commandWatch,
    RequestExpiry requestExpiry,
    WebhookDispatcher webhooks,
    Switchboard.Server.Slack.SlackNotifier slack,
    RetentionService retention,
    ConnectionRegistry connections,
    LongPollRegistry longPolls,
    SwitchboardOptions options,
    ILogger<SwitchboardRuntime> logger) : IHostedLifecycleService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private int _stopped;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        var state = await store.LoadStateAsync(cancellationToken);
        live.Start(state);
        alerts.Start();
        commandWatch.Start();
        webhooks.Start();
        slack.Start();
        await store.Feed.StartAsync(state.HeadSeq, live, _stopping.Token);
        pipeline.Start();
        leases.Start();
        requestExpiry.Start();
        retention.Start();
        readiness.MarkReady();
        SwitchboardLog.Started(logger, store.GetType().Name, state.Epoch, state.HeadSeq, state.ActiveSessions.Count);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Before the server stops: not ready, no new streams, the drain delay, then 1001 to every stream client.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        readiness.MarkStopping();
        connections.BeginShutdown();
        if (options.ShutdownDrainDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(options.ShutdownDrainDelay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }

        SwitchboardLog.Stopping(logger, connections.Count);
        connections.CloseAll(CloseCodes.GoingAway, "server shutting down");
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        // The views are the store; they are named here only so the container disposes them after the runtime.
        _ = (alertStore, commandStore, approvalStore, treeStore, webhookStore);
        readiness.MarkStopping();
        leases.Dispose();
        requestExpiry.Dispose();
        retention.Dispose();
        // Before the pipeline: the evaluator makes no write the pipeline would refuse, and webhook leases are released
        // while the store can still write, so another node takes over at once.
        await alerts.DisposeAsync();
        await commandWatch.DisposeAsync();
        await webhooks.DisposeAsync();
        await slack.DisposeAsync();
        await pipeline.DisposeAsync();
        await _stopping.CancelAsync();
        await live.StopAsync();
        longPolls.Dispose();
        connections.Dispose();
        await store.DisposeAsync();
    }

    /// <summary>Stops what started, in order, unless <see cref="StopAsync"/> already did (see the class remarks).</summary>
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}

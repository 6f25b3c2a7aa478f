using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Ingest;
using Switchboard.Live;
using Switchboard.Storage;
using Switchboard.Transports;
using Switchboard.Transports.WebSockets;

namespace Switchboard.Hosting;

/// <summary>
/// Starts and stops a node in order: open the store, load the projection at the log head, start
/// dispatching from the feed after that head, then accept writes. On shutdown, stream clients are closed
/// with 1001 (so they reconnect and resume elsewhere or after the restart) and every accepted write is committed.
/// </summary>
internal sealed class SwitchboardRuntime(
    ISessionStore store,
    WritePipeline pipeline,
    EventDispatcher dispatcher,
    SummaryPublisher summary,
    LeaseMonitor leases,
    RetentionService retention,
    ConnectionRegistry connections,
    Transports.LongPoll.LongPollRegistry longPolls,
    IHostApplicationLifetime lifetime,
    ILogger<SwitchboardRuntime> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();

    public bool IsReady { get; private set; }

    public string? NotReadyReason { get; private set; } = "starting";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        var state = await store.LoadStateAsync(cancellationToken);
        lock (dispatcher.Gate)
        {
            dispatcher.Projection.Load(state);
            dispatcher.Summary = summary;
        }

        dispatcher.Start();
        await store.Feed.StartAsync(state.HeadSeq, dispatcher, _stopping.Token);
        pipeline.Start();
        leases.Start();
        retention.Start();
        lifetime.ApplicationStopping.Register(() =>
        {
            IsReady = false;
            NotReadyReason = "stopping";
            SwitchboardLog.Stopping(logger, connections.Count);
            connections.CloseAll(CloseCodes.GoingAway, "server shutting down");
        });
        IsReady = true;
        NotReadyReason = null;
        SwitchboardLog.Started(logger, store.GetType().Name, state.Epoch, state.HeadSeq, state.ActiveSessions.Count);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        IsReady = false;
        leases.Dispose();
        retention.Dispose();
        await pipeline.DisposeAsync();
        await _stopping.CancelAsync();
        await dispatcher.StopAsync();
        summary.Dispose();
        longPolls.Dispose();
        connections.Dispose();
        await store.DisposeAsync();
    }
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Health;
using Switchboard.Ingest;
using Switchboard.Live;
using Switchboard.Storage;
using Switchboard.Transports;
using Switchboard.Transports.LongPoll;
using Switchboard.Transports.WebSockets;

namespace Switchboard.Hosting;

/// <summary>
/// Starts and stops a node in order: open the store, load live state at the log head, start the feed after that head,
/// then accept writes. On shutdown, stream clients are closed with 1001 (so they reconnect and resume elsewhere or after
/// the restart) and every accepted write is committed.
/// </summary>
internal sealed class SwitchboardRuntime(
    ISessionStore store,
    WritePipeline pipeline,
    LiveHub live,
    NodeReadiness readiness,
    LeaseMonitor leases,
    RetentionService retention,
    ConnectionRegistry connections,
    LongPollRegistry longPolls,
    IHostApplicationLifetime lifetime,
    ILogger<SwitchboardRuntime> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        var state = await store.LoadStateAsync(cancellationToken);
        live.Start(state);
        await store.Feed.StartAsync(state.HeadSeq, live, _stopping.Token);
        pipeline.Start();
        leases.Start();
        retention.Start();
        lifetime.ApplicationStopping.Register(() =>
        {
            readiness.MarkStopping();
            SwitchboardLog.Stopping(logger, connections.Count);
            connections.CloseAll(CloseCodes.GoingAway, "server shutting down");
        });
        readiness.MarkReady();
        SwitchboardLog.Started(logger, store.GetType().Name, state.Epoch, state.HeadSeq, state.ActiveSessions.Count);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        readiness.MarkStopping();
        leases.Dispose();
        retention.Dispose();
        await pipeline.DisposeAsync();
        await _stopping.CancelAsync();
        await live.StopAsync();
        longPolls.Dispose();
        connections.Dispose();
        await store.DisposeAsync();
    }
}

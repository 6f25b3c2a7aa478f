using Switchboard.Ingest;

namespace Switchboard.Live;

/// <summary>
/// Reads of the live projection for the HTTP API (summary, counts, the fleet flag), with read-your-writes on this node:
/// each read first waits until the projection has applied everything this node has committed, so a client that got a
/// 2xx sees its own write. The wait is on the read side so writes answer as soon as they are durable.
/// </summary>
internal sealed class LiveState(EventDispatcher dispatcher, WritePipeline pipeline, TimeProvider time)
{
    /// <summary>How long a read waits for the projection to catch up before answering from what it has (e.g. a stalled PostgreSQL feed).</summary>
    private static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(2);

    public async Task<Summary> SummaryAsync()
    {
        await CaughtUpAsync();
        lock (dispatcher.Gate)
        {
            return dispatcher.Projection.BuildSummary(time.GetUtcNow());
        }
    }

    /// <summary>The log's epoch; fixed for the life of the database, so it needs no wait.</summary>
    public string Epoch => dispatcher.Projection.Epoch;

    public async Task<bool> FleetPausedAsync()
    {
        await CaughtUpAsync();
        lock (dispatcher.Gate)
        {
            return dispatcher.Projection.FleetPaused;
        }
    }

    private async Task CaughtUpAsync()
    {
        try
        {
            await dispatcher.WhenAppliedAsync(pipeline.LastCommittedSeq).WaitAsync(CatchUpWait);
        }
        catch (TimeoutException)
        {
            // The writes are durable either way; answer from the projection as it stands.
        }
    }
}

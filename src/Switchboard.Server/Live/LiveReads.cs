using Switchboard.Server.Ingest;

namespace Switchboard.Server.Live;

/// <summary>
/// Reads of live state for the HTTP API (summary, counts, the fleet flag), with read-your-writes on this node: each read
/// first waits until the live loop has applied everything this node has committed, so a client that got a 2xx sees its
/// own write. The wait is on the read side so that writes answer as soon as they are durable.
/// </summary>
internal sealed class LiveReads(LiveHub live, GroupCommit pipeline)
{
    /// <summary>How long a read waits for the loop to catch up before answering from what it has (e.g. a stalled PostgreSQL feed).</summary>
    private static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(2);

    /// <summary>The log's epoch; fixed for the life of the database, so it needs no wait.</summary>
    public string Epoch => live.Epoch;

    public async Task<FleetSummary> FleetSummaryAsync()
    {
        await CaughtUpAsync();
        return await live.ReadFleetSummaryAsync();
    }

    public async Task<bool> FleetPausedAsync()
    {
        await CaughtUpAsync();
        return await live.ReadFleetPausedAsync();
    }

    /// <summary>The writes are durable either way: after the wait, answer from live state as it stands.</summary>
    private Task CaughtUpAsync() => live.WhenAppliedAsync(pipeline.LastCommittedSeq, CatchUpWait);
}

using Switchboard.Core.Events;

namespace Switchboard.Core.Storage;

/// <summary>Receives committed events in <c>seq</c> order.</summary>
internal interface IEventSink
{
    /// <summary>Called with consecutive committed events; never concurrently, never out of order. Must not block.</summary>
    void OnCommitted(IReadOnlyList<EventRecord> events);

    /// <summary>
    /// Completes when the sink can take more events. A feed that reads committed events from a table (PostgreSQL) waits
    /// for it before reading on, so a node that fans out slower than others write falls behind in the table instead of
    /// in memory.
    /// </summary>
    ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// The log moved under the feed: events were committed that it never delivered (another process wrote to the same
    /// SQLite file, a backup was restored). The sink must reload its state from the store.
    /// </summary>
    void OnLogReset(string reason)
    {
    }
}

/// <summary>The stream of committed events of a store. SQLite feeds its own commits; PostgreSQL tails the table.</summary>
internal interface IEventFeed
{
    /// <summary>
    /// Starts delivering every event with <c>seq &gt; afterSeq</c> to <paramref name="sink"/>, without gaps,
    /// until <paramref name="cancellationToken"/> fires. Call once.
    /// </summary>
    Task StartAsync(long afterSeq, IEventSink sink, CancellationToken cancellationToken);
}

using Switchboard.Events;

namespace Switchboard.Storage;

/// <summary>Receives committed events in <c>seq</c> order.</summary>
public interface IEventSink
{
    /// <summary>Called with consecutive committed events; never concurrently, never out of order.</summary>
    void OnCommitted(IReadOnlyList<EventRecord> events);
}

/// <summary>The stream of committed events of a store. SQLite feeds its own commits; PostgreSQL tails the table.</summary>
public interface IEventFeed
{
    /// <summary>
    /// Starts delivering every event with <c>seq &gt; afterSeq</c> to <paramref name="sink"/>, without gaps,
    /// until <paramref name="cancellationToken"/> fires. Call once.
    /// </summary>
    Task StartAsync(long afterSeq, IEventSink sink, CancellationToken cancellationToken);
}

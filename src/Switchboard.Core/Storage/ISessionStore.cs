using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.UsageRollups;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Storage;

/// <summary>
/// The store contract every backend honours. Sessions and the event log live together so that each
/// change and its event commit in one transaction.
/// </summary>
internal interface ISessionStore : IAsyncDisposable
{
    /// <summary>Creates the schema if needed (and the epoch with a new log). Safe to call once per process.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>A consistent view of everything the server keeps in memory: epoch, head, fleet flag, active sessions and totals.</summary>
    Task<StoreState> LoadStateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Applies <paramref name="writes"/> in order, in one transaction, through <see cref="SessionTransitions"/>.
    /// A refused write leaves no trace and does not affect the others. Once committed, the appended events
    /// reach <see cref="Feed"/> subscribers in <c>seq</c> order. Throws <see cref="StoreUnavailableException"/>
    /// when nothing could be committed.
    /// </summary>
    Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<SessionWrite> writes, CancellationToken cancellationToken);

    /// <summary>One session, or null.</summary>
    Task<Session?> GetSessionAsync(string id, CancellationToken cancellationToken);

    /// <summary>Sessions, newest first, with filters and a cursor.</summary>
    Task<SessionPage> ListSessionsAsync(SessionQuery query, CancellationToken cancellationToken);

    /// <summary>Events after a position, oldest first.</summary>
    Task<IReadOnlyList<EventRecord>> ReadEventsAsync(EventQuery query, CancellationToken cancellationToken);

    /// <summary>The retained range of the log.</summary>
    Task<LogBounds> GetLogBoundsAsync(CancellationToken cancellationToken);

    /// <summary>Ids of active sessions not in <c>error</c> whose lease ran out at or before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<string>> FindExpiredLeasesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes events beyond the retention policy. Never touches <c>seq</c> assignment.</summary>
    Task<long> PurgeAsync(RetentionPolicy policy, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Usage rollups of the buckets in the query, read consistently with the log: the answer holds exactly the events up to
    /// and including <see cref="UsageResult.AsOfSeq"/>.
    /// </summary>
    Task<UsageResult> ReadUsageAsync(UsageQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes rollup buckets older than their bucket size's retention. Returns the rows deleted.</summary>
    Task<long> PurgeUsageAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Commits a transaction that writes nothing a client can see, to tell whether the store can write again after a
    /// failed commit (a full disk, a lost database). Throws <see cref="StoreUnavailableException"/> while it cannot.
    /// </summary>
    Task CheckWritableAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Why the store opened without being able to write (a full disk), or null. It serves reads meanwhile; the write
    /// pipeline refuses writes with this reason and probes with <see cref="CheckWritableAsync"/> until one succeeds.
    /// </summary>
    string? WriteFailureAtStart => null;

    /// <summary>Where committed events come from, in order, including those written by other nodes.</summary>
    IEventFeed Feed { get; }

    /// <summary>Presence shared with the other nodes of this store; null when the store serves one node.</summary>
    IPresenceExchange? Presence => null;
}

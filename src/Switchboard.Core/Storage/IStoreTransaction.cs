using Switchboard.Core.Alerts;
using Switchboard.Core.Commands;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Storage;

/// <summary>
/// One open write transaction of a store, holding the store's write lock (SQLite's single writer, PostgreSQL's log row),
/// and the batched primitives <see cref="UnitOfWork"/> runs a write with. Each primitive is one statement or one round
/// trip, and none holds a rule of the domain: what to read, in which order, and what a batch means is decided once, in
/// <see cref="UnitOfWork"/>. A store may keep caches about its own engine behind them (SQLite's single-writer row cache).
/// Disposing without <see cref="CommitAsync"/> rolls back.
/// </summary>
internal interface IStoreTransaction : IAsyncDisposable
{
    /// <summary>The log head as this transaction holds it (read under the store's write lock).</summary>
    ValueTask<LogHead> ReadHeadAsync();

    /// <summary>Inserts the telemetry dedupe keys; returns those that were not there yet.</summary>
    ValueTask<IReadOnlySet<string>> InsertTelemetryKeysAsync(IReadOnlyList<string> keys, DateTimeOffset at);

    /// <summary>The last points of these cumulative metric streams, where the store has one.</summary>
    ValueTask<IReadOnlyDictionary<string, StreamState>> ReadMetricStreamsAsync(IReadOnlyCollection<string> ids);

    /// <summary>Stores the new last points of metric streams.</summary>
    ValueTask WriteMetricStreamsAsync(IReadOnlyDictionary<string, StreamState> streams, DateTimeOffset at);

    /// <summary>Records which session owns each span that may start an agent (a span recorded before keeps its owner).</summary>
    ValueTask WriteSpanOwnersAsync(IReadOnlyList<(string Span, string Session)> owners, DateTimeOffset at);

    /// <summary>The sessions owning these spans, where one was recorded at or after <paramref name="since"/> (older owners are out of the window).</summary>
    ValueTask<IReadOnlyDictionary<string, string>> ReadSpanOwnersAsync(IReadOnlyCollection<string> spans, DateTimeOffset since);

    /// <summary>Deletes and returns the waits for these spans: each the span and the session that waited for it.</summary>
    ValueTask<IReadOnlyList<(string Span, string Child)>> TakeWaitsAsync(IReadOnlyCollection<string> spans);

    /// <summary>Records that each child session waits for a span (a wait recorded before is kept).</summary>
    ValueTask WriteWaitsAsync(IReadOnlyList<(string Span, string Child)> waits, DateTimeOffset at);

    /// <summary>
    /// Up to <paramref name="limit"/> descendants of the session at <paramref name="path"/> (not the session itself), with
    /// their paths: only active ones, deepest first (then by path), when <paramref name="activeOnly"/>; all of them in
    /// tree order otherwise.
    /// </summary>
    ValueTask<IReadOnlyList<(string Id, string Path)>> ReadDescendantsAsync(string path, bool activeOnly, int limit);

    /// <summary>Reads (and locks, where the store locks rows) these sessions, in one fixed order; missing ids are absent.</summary>
    ValueTask<IReadOnlyDictionary<string, Session>> LockSessionsAsync(IReadOnlyCollection<string> ids);

    /// <summary>The alert each target names (the open one of a rule and subject, or one by id), null where none.</summary>
    ValueTask<IReadOnlyDictionary<AlertTarget, Alert?>> ReadAlertsAsync(IReadOnlyCollection<AlertTarget> targets);

    /// <summary>The commands with <see cref="RequestTargets.Ids"/> and every outstanding one of <see cref="RequestTargets.Sessions"/>.</summary>
    ValueTask<IReadOnlyList<Command>> ReadCommandsAsync(RequestTargets targets);

    /// <summary>
    /// The approvals with <see cref="RequestTargets.Ids"/>, and how many of each of <see cref="RequestTargets.Sessions"/>
    /// are pending with the resume state of the oldest; never the pending rows themselves.
    /// </summary>
    ValueTask<ApprovalRows> ReadApprovalsAsync(RequestTargets targets);

    /// <summary>The pending approvals of <paramref name="sessionIds"/> (sessions that end in this commit), in the order asked.</summary>
    ValueTask<IReadOnlyList<Switchboard.Core.Approvals.Approval>> ReadPendingApprovalsAsync(IReadOnlyCollection<string> sessionIds);

    /// <summary>Writes (upserts by id) the alerts, commands and approvals a batch changed; called after <see cref="PersistAsync"/>, before the commit.</summary>
    ValueTask WriteTargetsAsync(WriteBatch batch);

    /// <summary>The active-session counts of these label values (absent: none).</summary>
    ValueTask<IReadOnlyDictionary<(string Key, string Value), long>> ReadActiveCountsAsync(IReadOnlyCollection<(string Key, string Value)> pairs);

    /// <summary>
    /// Executes <paramref name="plan"/>, what the batch changed as row operations in their order (session rows, ancestors'
    /// totals, moves, events, usage, the log row); one round trip where the store batches.
    /// </summary>
    ValueTask PersistAsync(PersistPlan plan);

    /// <summary>
    /// Closes the open durable streams of <paramref name="sessionIds"/> (sessions this write ends), to expire at
    /// <paramref name="retainUntil"/> or sooner, and tells their live readers once committed (<see cref="Switchboard.Core.Storage.Sql.SqlStreams.EndSessionStreams"/>).
    /// </summary>
    ValueTask EndSessionStreamsAsync(IReadOnlyCollection<string> sessionIds, DateTimeOffset retainUntil);

    /// <summary>Commits. After it returns the batch is durable.</summary>
    ValueTask CommitAsync();
}

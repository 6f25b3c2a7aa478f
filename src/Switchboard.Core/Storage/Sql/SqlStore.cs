using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Trees;
using Switchboard.Core.UsageRollups;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Storage.Sql;

/// <summary>
/// Everything a SQL store does the same way, written once: every read (sessions, pages, events, trees, commands,
/// alerts, usage), the small writes outside the log (alert rules, webhook state), purges, and the write transaction
/// through <see cref="UnitOfWork"/>. A store supplies its connection discipline (<see cref="ReadAsync{T}"/>,
/// <see cref="WriteOutsideLogAsync{T}"/>, <see cref="InTransactionAsync{T}"/>), its <see cref="SqlDialect"/> and its
/// <see cref="IStoreTransaction"/>: one class of SQL per database.
/// </summary>
internal abstract partial class SqlStore(SqlDialect sql, UsageOptions usage, Switchboard.Core.Streams.StreamPolicy streams) : ISessionStore, IAlertStore, ITreeStore, IWebhookStore
{
    private readonly UnitOfWork _unit = new(usage, streams);

    protected SqlDialect Sql { get; } = sql;

    protected UsageOptions Usage { get; } = usage;

    /// <inheritdoc />
    public abstract IEventFeed Feed { get; }

    /// <inheritdoc />
    public virtual IPresenceExchange? Presence => null;

    /// <inheritdoc />
    public virtual string? WriteFailureAtStart => null;

    /// <inheritdoc />
    public abstract Task InitializeAsync(CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract Task CheckWritableAsync(CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// Runs <paramref name="body"/> on a read connection; with <paramref name="snapshot"/>, in one transaction whose reads
    /// agree with each other and with the log head it reads (writers commit in seq order). Failures surface as
    /// <see cref="StoreUnavailableException"/> naming <paramref name="what"/>.
    /// </summary>
    protected abstract Task<T> ReadAsync<T>(string what, bool snapshot, Func<SqlConnectionScope, Task<T>> body, CancellationToken cancellationToken);

    /// <summary>Runs a small write that appends nothing to the log (alert rules, webhook cursors, purges).</summary>
    protected abstract Task<T> WriteOutsideLogAsync<T>(string what, Func<SqlConnectionScope, Task<T>> body, CancellationToken cancellationToken);

    /// <summary>
    /// Opens the store's write transaction (its lock, its connection), runs <paramref name="body"/> in it, and, still under
    /// its lock, updates what the store keeps in memory of a committed batch; failures surface as <see cref="StoreUnavailableException"/>, or
    /// <see cref="StoreRejectedException"/> when the database refused a value.
    /// </summary>
    protected abstract Task<T> InTransactionAsync<T>(Func<IStoreTransaction, Task<T>> body, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="body"/> in one write transaction of this store, as <see cref="UnitOfWork"/> does; it commits
    /// only if the body calls <see cref="IStoreTransaction.CommitAsync"/>. For the store contract suite, which runs every
    /// primitive on its own.
    /// </summary>
    internal Task<T> TransactAsync<T>(Func<IStoreTransaction, Task<T>> body) => InTransactionAsync(body, CancellationToken.None);

    /// <summary>Forgets what the unit of work learned (the database changed under the store).</summary>
    protected void ForgetLinks() => _unit.Reset();

    /// <summary>
    /// The durable-stream primitives inside <paramref name="transaction"/>, one of this store's write transactions: a
    /// session stream's create, close or delete commits with its session's change (<see cref="Switchboard.Core.Writes.WriteSessionStream"/>).
    /// The store publishes what they persisted to its stream feed once the transaction commits.
    /// </summary>
    protected abstract Switchboard.Core.Streams.IDurableStreamWriter StreamWriterIn(IStoreTransaction transaction);

    /// <summary>The store's clock, in wire precision.</summary>
    protected abstract DateTimeOffset Now();

    /// <inheritdoc />
    public async Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<SessionWrite> writes, CancellationToken cancellationToken)
    {
        var outcome = await InTransactionAsync(transaction => _unit.RunAsync(transaction, writes, Now, () => StreamWriterIn(transaction)), cancellationToken);
        return outcome.Results;
    }

    /// <inheritdoc />
    public Task<StoreState> LoadStateAsync(CancellationToken cancellationToken) => ReadAsync("load the state", snapshot: true, async db =>
    {
        var head = await db.HeadAsync();
        var epoch = await ReadEpochAsync(db);
        var fleetPaused = (await db.LogRowAsync()).FleetPaused;
        var active = await db.QueryAsync($"SELECT {SqlDialect.SessionColumns} FROM {Sql.Table("sessions")} WHERE state <> 'terminated' ORDER BY created_seq;",
            Sql.ReadSession);
        var counts = SessionStates.All.ToDictionary(s => s, _ => 0L);
        Int128 input = 0, output = 0;
        // Exact integer sums on every database: each counter summed as its high and low 32 bits, which cannot overflow a
        // 64-bit sum before 2^31 sessions (SQLite's SUM fails past 2^63, its TOTAL is a double).
        foreach (var (state, count, inHigh, inLow, outHigh, outLow) in await db.QueryAsync(
                     "SELECT state, COUNT(*), CAST(SUM(input_tokens >> 32) AS BIGINT), CAST(SUM(input_tokens & 4294967295) AS BIGINT), " +
                     $"CAST(SUM(output_tokens >> 32) AS BIGINT), CAST(SUM(output_tokens & 4294967295) AS BIGINT) FROM {Sql.Table("sessions")} GROUP BY state;",
                     r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5))))
        {
            if (SessionStates.TryParse(state, out var s))
            {
                counts[s] = count;
            }

            input += ((Int128)inHigh << 32) + inLow;
            output += ((Int128)outHigh << 32) + outLow;
        }

        var cost = (await db.QueryAsync($"SELECT cost_usd FROM {Sql.Table("sessions")} WHERE cost_usd <> 0;", r => Sql.ReadDecimal(r, 0))).Sum();
        return new StoreState(epoch, head, fleetPaused, active, new SessionTotals(counts, input, output, Switchboard.Core.Json.Decimals.Normalize(cost)))
        {
            OpenAlerts = await db.QueryAsync($"SELECT data FROM {Sql.Table("alerts")} WHERE open = {Sql.True} ORDER BY raised_seq;", ReadAlert),
            OutstandingCommands = await db.QueryAsync(
                $"SELECT data FROM {Sql.Table("commands")} WHERE {CommandsOutstanding} ORDER BY issued_seq;", ReadCommand),
            PendingApprovals = await db.QueryAsync(
                $"SELECT data FROM {Sql.Table("approvals")} WHERE state = 'pending' ORDER BY requested_seq;", ReadApproval),
        };
    }, cancellationToken);

    /// <summary>The log's epoch, in <paramref name="db"/>'s transaction.</summary>
    protected abstract Task<string> ReadEpochAsync(SqlConnectionScope db);

    /// <summary>The log row as the database holds it (what a store reopened on it starts from); for the store contract suite.</summary>
    internal Task<LogHead> ReadLogRowAsync() => ReadAsync("read the log row", snapshot: false, db => db.LogRowAsync(), CancellationToken.None);

    /// <inheritdoc />
    public Task<Session?> GetSessionAsync(string id, CancellationToken cancellationToken) => ReadAsync("read a session", snapshot: false, db =>
        db.FirstAsync($"SELECT {SqlDialect.SessionColumns} FROM {Sql.Table("sessions")} WHERE id = @id;", Sql.ReadSession, ("@id", id)), cancellationToken);

    /// <inheritdoc />
    public Task<SessionPage> ListSessionsAsync(SessionQuery query, CancellationToken cancellationToken) => ReadAsync("list sessions", snapshot: true, async db =>
    {
        var where = new List<string>();
        var args = new List<(string, object?)> { ("@limit", query.Limit + 1) };
        if (query.States is { Count: > 0 } states)
        {
            where.Add(Sql.In("state", "@states"));
            args.Add(("@states", Sql.List(states.Select(s => s.ToWire()))));
        }

        if (query.Active is { } isActive)
        {
            where.Add(isActive ? "state <> 'terminated'" : "state = 'terminated'");
        }

        if (query.Labels is { Count: > 0 } labels)
        {
            where.Add(Sql.LabelsMatch(labels, args));
        }

        if (query.ParentId is { } parent)
        {
            where.Add("parent_id = @parent");
            args.Add(("@parent", parent));
        }

        if (query.Roots is { } roots)
        {
            where.Add(roots ? "parent_id IS NULL" : "parent_id IS NOT NULL");
        }

        if (query.BeforeCreatedSeq is { } before)
        {
            where.Add("created_seq < @before");
            args.Add(("@before", before));
        }

        var head = await db.HeadAsync();
        var sessions = await db.QueryAsync($"SELECT {SqlDialect.SessionColumns} FROM {Sql.Table("sessions")}" +
            (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY created_seq DESC LIMIT @limit;", Sql.ReadSession, [.. args]);
        return new SessionPage(sessions, sessions.Count > query.Limit ? Trim(sessions).CreatedSeq : null) { AsOfSeq = head };
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<EventRecord>> ReadEventsAsync(EventQuery query, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<EventRecord>>("read events", snapshot: false, async db =>
        {
            var sql = $"SELECT {SqlDialect.EventColumns} FROM {Sql.Table("events")} WHERE seq > @after";
            var args = new List<(string, object?)> { ("@after", query.AfterSeq), ("@limit", query.Limit) };
            if (query.UpToSeq is { } upTo)
            {
                sql += " AND seq <= @upTo";
                args.Add(("@upTo", upTo));
            }

            if (query.SessionId is { } sessionId)
            {
                sql += " AND session_id = @sid";
                args.Add(("@sid", sessionId));
            }

            if (query.Subtree is { } subtree)
            {
                sql += TreePath.SubtreeReplayFilter('@');
                args.AddRange(TreePath.SubtreeReplayParameters(subtree.SessionId, subtree.TreePath).Select(p => ("@" + p.Name, (object?)p.Value)));
            }

            return await db.QueryAsync(sql + " ORDER BY seq LIMIT @limit;", Sql.ReadEvent, [.. args]);
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Read from the database in one statement, so it reflects purges and writes by every node.</remarks>
    public Task<LogBounds> GetLogBoundsAsync(CancellationToken cancellationToken) => ReadAsync("read the log bounds", snapshot: false, async db =>
    {
        var (head, first) = await db.FirstAsync(Sql.BoundsSql, r => (r.IsDBNull(0) ? 0 : r.GetInt64(0), r.IsDBNull(1) ? (long?)null : r.GetInt64(1)));
        return new LogBounds(Math.Min(first ?? head + 1, head + 1), head);
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> FindExpiredLeasesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<string>>("find expired leases", snapshot: false, async db => await db.QueryAsync(
            $"SELECT id FROM {Sql.Table("sessions")} WHERE lease_expires_at <= @now AND state NOT IN ('error', 'terminated') " +
            "ORDER BY lease_expires_at LIMIT @limit;", r => r.GetString(0), ("@now", Sql.Time(now)), ("@limit", limit)), cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// The dedupe state of telemetry first (keys, metric streams, span owners and waits older than
    /// <see cref="TelemetryDedupe.Window"/>), then a prefix of the log in chunks, so the retained range stays one
    /// contiguous suffix and no chunk holds the write lock for long. The head is untouched.
    /// </remarks>
    public async Task<long> PurgeAsync(RetentionPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const int chunk = 20_000;
        await WriteOutsideLogAsync("purge telemetry keys", async db =>
        {
            foreach (var table in new[] { "telemetry_keys", "telemetry_streams", "telemetry_waits", "telemetry_span_owners" })
            {
                await db.ExecuteAsync($"DELETE FROM {Sql.Table(table)} WHERE at < @cut;", ("@cut", Sql.Time(now - TelemetryDedupe.Window)));
            }

            return 0;
        }, cancellationToken);

        long deleted = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var removed = await WriteOutsideLogAsync("purge the event log", async db =>
            {
                var (head, first) = await db.FirstAsync(Sql.BoundsSql, r => (r.IsDBNull(0) ? 0 : r.GetInt64(0), r.IsDBNull(1) ? (long?)null : r.GetInt64(1)));
                // Events are appended in time order, so everything before the first young one goes.
                var firstYoung = await db.FirstAsync($"SELECT seq FROM {Sql.Table("events")} WHERE at >= @cut ORDER BY seq LIMIT 1;",
                    r => (long?)r.GetInt64(0), ("@cut", Sql.Time(now - policy.MaxAge)));
                var boundary = Math.Max(head - policy.MaxEvents, firstYoung is { } young ? young - 1 : head);
                var from = first ?? head + 1;
                return boundary < from ? -1 : await db.ExecuteAsync($"DELETE FROM {Sql.Table("events")} WHERE seq <= @upTo;",
                    ("@upTo", Math.Min(boundary, from + chunk - 1)));
            }, cancellationToken);

            if (removed < 0)
            {
                break;
            }

            deleted += removed;
        }

        return deleted;
    }

    /// <summary>Drops the extra row read to tell whether another page follows; returns the page's last session.</summary>
    private static Session Trim(List<Session> sessions)
    {
        sessions.RemoveAt(sessions.Count - 1);
        return sessions[^1];
    }
}

namespace Switchboard.Core.Storage.Sql;

/// <summary>
/// The reads of every kind of request (<see cref="IRequestStore{TRequest, TState}"/>), once over the kind's
/// <see cref="RequestTable{TRequest, TState}"/>; their rows change only in write transactions (<see cref="IStoreTransaction"/>).
/// </summary>
internal abstract partial class SqlStore
{
    private Task<IReadOnlyList<T>> ListRequestsAsync<T, TState>(RequestTable<T, TState> table, string sessionId, IReadOnlyCollection<TState>? states, int limit,
        CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<T>>("list " + table.Plural, snapshot: false, async db => states is { Count: > 0 }
            ? await db.QueryAsync(
                $"SELECT data FROM {Sql.Table(table.Name)} WHERE session_id = @session AND {Sql.In("state", "@states")} ORDER BY {table.SeqColumn} LIMIT @limit;",
                r => table.Read(r.GetString(0)), ("@session", sessionId), ("@states", Sql.List(states.Select(table.Wire))), ("@limit", limit))
            : await db.QueryAsync($"SELECT data FROM {Sql.Table(table.Name)} WHERE session_id = @session ORDER BY {table.SeqColumn} LIMIT @limit;",
                r => table.Read(r.GetString(0)), ("@session", sessionId), ("@limit", limit)), cancellationToken);

    private Task<T?> GetRequestAsync<T, TState>(RequestTable<T, TState> table, string id, CancellationToken cancellationToken) where T : class =>
        ReadAsync("read " + table.Single, snapshot: false, db =>
            db.FirstAsync($"SELECT data FROM {Sql.Table(table.Name)} WHERE id = @id;", r => table.Read(r.GetString(0)), ("@id", id)), cancellationToken);

    private Task<IReadOnlyList<(string SessionId, string Id)>> FindExpiredRequestsAsync<T, TState>(RequestTable<T, TState> table, DateTimeOffset now, int limit,
        CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<(string, string)>>("find expired " + table.Plural, snapshot: false, async db => await db.QueryAsync(
            $"SELECT session_id, id FROM {Sql.Table(table.Name)} WHERE {table.Open} AND expires_at <= @now ORDER BY expires_at LIMIT @limit;",
            r => (r.GetString(0), r.GetString(1)), ("@now", Sql.Time(now)), ("@limit", limit)), cancellationToken);

    private Task<IReadOnlyList<(string SessionId, string Id, string Holder)>> FindUnheldRequestsAsync<T, TState>(RequestTable<T, TState> table, string self, int limit,
        CancellationToken cancellationToken) => table.Holder is not { } holder
            ? Task.FromResult<IReadOnlyList<(string, string, string)>>([])
            : ReadAsync<IReadOnlyList<(string, string, string)>>($"find {table.Plural} nobody holds", snapshot: false, async db => await db.QueryAsync(
                $"SELECT session_id, id, holder FROM (SELECT session_id, id, {table.SeqColumn}, {Sql.JsonText("data", holder)} AS holder " +
                $"FROM {Sql.Table(table.Name)} WHERE {table.Open}) AS p " +
                $"WHERE holder IS NOT NULL AND holder <> @self AND holder NOT IN ({LiveNodes}) ORDER BY {table.SeqColumn} LIMIT @limit;",
                r => (r.GetString(0), r.GetString(1), r.GetString(2)), ("@self", self), ("@limit", limit)), cancellationToken);

    /// <summary>
    /// A query of the ids of the nodes alive now (<see cref="IRequestStore{TRequest, TState}.FindUnheldAsync"/>): none for a
    /// store of one node, whose data directory no other process can open.
    /// </summary>
    protected virtual string LiveNodes => "SELECT NULL WHERE 1 = 0";
}

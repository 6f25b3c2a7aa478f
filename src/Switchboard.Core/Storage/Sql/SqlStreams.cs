using System.Data.Common;
using Switchboard.Core.Streams;

namespace Switchboard.Core.Storage.Sql;

/// <summary>
/// Durable streams' SQL, once for both databases: a stream row's columns and how one is read, the statements that find a
/// stream with the streams it was forked from, and the chunk read. The tables are <c>streams</c> (one row per stream
/// incarnation), <c>stream_chunks</c> (its appends, keyed by the position each ends at) and <c>stream_producers</c>
/// (idempotent producers' states), named by <see cref="SqlDialect.Table"/>.
/// </summary>
internal static class SqlStreams
{
    /// <summary>A stream row's columns, in the order <see cref="ReadRow"/> reads them.</summary>
    public const string Columns =
        "id, path, content_type, tail, closed, closed_producer, closed_epoch, closed_seq, stream_seq, ttl_seconds, expires_at, " +
        "accessed_at, due_at, fork_of, fork_at, forks, state, owner, created_at, session_id";

    /// <summary>How many fork levels the statements that follow a stream to its sources go down at most (a bound, not a rule).</summary>
    public const int MaxSourceDepth = 64;

    /// <summary>Producer keys one statement looks up at most (well inside both databases' parameter limits).</summary>
    private const int ProducersPerStatement = 500;

    private static readonly string[] ColumnNames = Columns.Split(", ");

    /// <summary>Chunks a chunk read looks at per range before it fetches any data (each at least one byte).</summary>
    private const int ChunksPerRange = 4096;

    public static StreamRow ReadRow(DbDataReader r, SqlDialect sql) => new()
    {
        Id = r.GetInt64(0),
        Path = r.IsDBNull(1) ? null : r.GetString(1),
        ContentType = r.GetString(2),
        Tail = r.GetInt64(3),
        Closed = sql.ReadBool(r, 4),
        ClosedBy = r.IsDBNull(5) ? null : new ProducerTuple(r.GetString(5), r.GetInt64(6), r.GetInt64(7)),
        StreamSeq = r.IsDBNull(8) ? null : r.GetString(8),
        TtlSeconds = r.IsDBNull(9) ? null : r.GetInt64(9),
        ExpiresAt = r.IsDBNull(10) ? null : sql.ReadTime(r, 10),
        AccessedAt = sql.ReadTime(r, 11),
        DueAt = r.IsDBNull(12) ? null : sql.ReadTime(r, 12),
        ForkOf = r.IsDBNull(13) ? null : r.GetInt64(13),
        ForkAt = r.GetInt64(14),
        Forks = r.GetInt64(15),
        State = (StreamLifecycle)Convert.ToInt32(r.GetValue(16), System.Globalization.CultureInfo.InvariantCulture),
        Owner = r.GetString(17),
        CreatedAt = sql.ReadTime(r, 18),
        SessionId = r.IsDBNull(19) ? null : r.GetString(19),
    };

    /// <summary>The stream at <c>@path</c> (live or soft-deleted) and its sources, nearest first.</summary>
    public static string SelectChain(SqlDialect sql) => $"""
        WITH RECURSIVE chain(id, depth) AS (
            SELECT id, 0 FROM {sql.Table("streams")} WHERE path = @path AND state < 2
            UNION ALL SELECT s.fork_of, c.depth + 1 FROM chain c JOIN {sql.Table("streams")} s ON s.id = c.id WHERE s.fork_of IS NOT NULL AND c.depth < {MaxSourceDepth})
        SELECT {Columns} FROM chain JOIN {sql.Table("streams")} USING (id) ORDER BY chain.depth;
        """;

    /// <summary>
    /// The streams a write transaction takes: those at <c>@paths</c>, up to <c>@limit</c> live ones due by <c>@now</c>,
    /// and every stream they were forked from, locked (<see cref="SqlDialect.LockRows"/>) in id order.
    /// </summary>
    public static string SelectWithSources(SqlDialect sql) => $"""
        WITH RECURSIVE
            targets(id) AS (
                SELECT id FROM {sql.Table("streams")} WHERE {sql.In("path", "@paths")} AND state < 2
                UNION SELECT id FROM (SELECT id FROM {sql.Table("streams")} WHERE state = 0 AND due_at IS NOT NULL AND due_at <= @now
                                      ORDER BY due_at LIMIT @limit) AS due),
            chain(id, depth) AS (
                SELECT id, 0 FROM targets
                UNION SELECT s.fork_of, c.depth + 1 FROM chain c JOIN {sql.Table("streams")} s ON s.id = c.id WHERE s.fork_of IS NOT NULL AND c.depth < {MaxSourceDepth})
        SELECT {Columns} FROM {sql.Table("streams")} WHERE id IN (SELECT id FROM chain) ORDER BY id{sql.LockRows};
        """;

    /// <summary>
    /// The chunks overlapping <paramref name="ranges"/> in position order, as many as fit <paramref name="maxBytes"/> but at
    /// least one: sizes are summed over at most <see cref="ChunksPerRange"/> index entries per range before any data is
    /// fetched, so the statement reads no more chunk data than it returns, whatever the stream's length. A large chunk the
    /// dialect leaves out of the row (<see cref="SqlDialect.BlobColumns"/>) is read into <paramref name="buffers"/> when given.
    /// </summary>
    public static async Task<IReadOnlyList<StreamChunk>> ReadChunksAsync(SqlConnectionScope db, IReadOnlyList<ChunkRange> ranges, long maxBytes, ChunkBuffers? buffers)
    {
        if (ranges.Count == 0)
        {
            return [];
        }

        var chunks = db.Sql.Table("stream_chunks");
        var args = new List<(string, object?)> { ("@max", Math.Max(1, maxBytes)) };
        var parts = new List<string>(ranges.Count);
        for (var i = 0; i < ranges.Count; i++)
        {
            parts.Add($"SELECT * FROM (SELECT stream_id, start_pos, end_pos FROM {chunks} WHERE stream_id = @s{i} AND end_pos > @f{i} AND start_pos < @t{i} " +
                $"ORDER BY end_pos LIMIT {ChunksPerRange}) AS r{i}");
            args.Add(($"@s{i}", ranges[i].StreamId));
            args.Add(($"@f{i}", ranges[i].From));
            args.Add(($"@t{i}", ranges[i].To));
        }

        var text = $"SELECT c.stream_id, c.start_pos, c.end_pos, {db.Sql.BlobColumns("c", "data", "c.end_pos - c.start_pos")} FROM (" +
            "SELECT stream_id, end_pos, sum(end_pos - start_pos) OVER (ORDER BY start_pos ROWS UNBOUNDED PRECEDING) - (end_pos - start_pos) AS before " +
            $"FROM ({string.Join(" UNION ALL ", parts)}) AS ranged) AS sized " +
            $"JOIN {chunks} c ON c.stream_id = sized.stream_id AND c.end_pos = sized.end_pos WHERE sized.before < @max ORDER BY c.start_pos;";
        return await db.QueryAsync(text, r => new StreamChunk(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2),
            r.IsDBNull(4) ? r.GetFieldValue<byte[]>(3) : ChunkBuffers.Read(db.OpenBlob(chunks, "data", r.GetInt64(4)), buffers)), [.. args]);
    }

    /// <summary>
    /// Writes the columns of a row that differ from <paramref name="before"/>, by its id; null when none does. Only those:
    /// an UPDATE that names a column rewrites every index on it, and an append changes little more than the tail.
    /// </summary>
    public static SqlStatement? UpdateRow(SqlDialect sql, StreamRow before, StreamRow after)
    {
        var old = RowArgs(before, sql);
        var now = RowArgs(after, sql);
        var set = new List<string>();
        var args = new List<(string Name, object? Value)> { now[0] };
        for (var i = 1; i < now.Length; i++)
        {
            if (!Equals(old[i].Value, now[i].Value))
            {
                set.Add($"{ColumnNames[i]} = {now[i].Name}");
                args.Add(now[i]);
            }
        }

        return set.Count == 0 ? null : new SqlStatement($"UPDATE {sql.Table("streams")} SET {string.Join(", ", set)} WHERE id = @id;", [.. args]);
    }

    /// <summary>Inserts a row (<see cref="RowArgs"/>).</summary>
    public static string InsertRow(SqlDialect sql) =>
        $"INSERT INTO {sql.Table("streams")} ({Columns}) VALUES ({string.Join(", ", ColumnNames.Select(c => "@" + c))});";

    /// <summary>Every column of <paramref name="row"/> as a parameter named after it.</summary>
    public static (string Name, object? Value)[] RowArgs(StreamRow row, SqlDialect sql) =>
    [
        ("@id", row.Id), ("@path", row.Path), ("@content_type", row.ContentType), ("@tail", row.Tail), ("@closed", row.Closed),
        ("@closed_producer", row.ClosedBy?.ProducerId), ("@closed_epoch", row.ClosedBy?.Epoch), ("@closed_seq", row.ClosedBy?.Seq),
        ("@stream_seq", row.StreamSeq), ("@ttl_seconds", row.TtlSeconds), ("@expires_at", row.ExpiresAt is { } e ? sql.Time(e) : null),
        ("@accessed_at", sql.Time(row.AccessedAt)), ("@due_at", row.DueAt is { } d ? sql.Time(d) : null), ("@fork_of", row.ForkOf),
        ("@fork_at", row.ForkAt), ("@forks", row.Forks), ("@state", (short)row.State), ("@owner", row.Owner), ("@created_at", sql.Time(row.CreatedAt)),
        ("@session_id", row.SessionId),
    ];

    /// <summary>Inserts or replaces a producer's state (<see cref="ProducerArgs"/>).</summary>
    public static string UpsertProducer(SqlDialect sql) =>
        $"INSERT INTO {sql.Table("stream_producers")} (stream_id, producer, epoch, last_seq) VALUES (@s, @p, @e, @q) " +
        "ON CONFLICT (stream_id, producer) DO UPDATE SET epoch = excluded.epoch, last_seq = excluded.last_seq;";

    public static (string Name, object? Value)[] ProducerArgs(ProducerRow p) => [("@s", p.StreamId), ("@p", p.ProducerId), ("@e", p.Epoch), ("@q", p.LastSeq)];

    /// <summary>The producers' states on their streams, a statement per <see cref="ProducersPerStatement"/> keys; absent keys have none.</summary>
    public static async Task<IReadOnlyList<ProducerRow>> ReadProducersAsync(SqlConnectionScope db, IReadOnlyCollection<ProducerKey> keys)
    {
        var rows = new List<ProducerRow>();
        foreach (var part in keys.Chunk(ProducersPerStatement))
        {
            var (from, args) = db.Sql.PairTable(part.Select(k => (k.StreamId, k.ProducerId)).ToList(), "k");
            rows.AddRange(await db.QueryAsync(
                $"SELECT p.stream_id, p.producer, p.epoch, p.last_seq FROM {from} " +
                $"JOIN {db.Sql.Table("stream_producers")} p ON p.stream_id = k.id AND p.producer = k.name;",
                r => new ProducerRow(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3)), args));
        }

        return rows;
    }

    /// <summary>How many live streams each of <paramref name="values"/> of <paramref name="column"/> (<c>owner</c> or <c>session_id</c>) has.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> CountLiveAsync(SqlConnectionScope db, string column, IReadOnlyCollection<string> values)
    {
        var counts = await db.QueryAsync(
            $"SELECT {column}, COUNT(*) FROM {db.Sql.Table("streams")} WHERE state = 0 AND {db.Sql.In(column, "@values")} GROUP BY {column};",
            r => (r.GetString(0), r.GetInt64(1)), ("@values", db.Sql.List(values)));
        return counts.ToDictionary(c => c.Item1, c => c.Item2, StringComparer.Ordinal);
    }

    /// <summary>
    /// Closes the open streams of sessions that end in this write (parameter <c>@sessions</c>, a <see cref="SqlDialect.List"/>)
    /// and bounds how long they stay: a sliding TTL becomes a fixed expiry, at <c>@until</c> or sooner if the stream was due
    /// sooner. Returns each closed stream's id and tail, for its live readers.
    /// </summary>
    public static string EndSessionStreams(SqlDialect sql) =>
        $"UPDATE {sql.Table("streams")} SET closed = {sql.True}, ttl_seconds = NULL, " +
        "expires_at = CASE WHEN due_at IS NOT NULL AND due_at < @until THEN due_at ELSE @until END, " +
        "due_at = CASE WHEN due_at IS NOT NULL AND due_at < @until THEN due_at ELSE @until END " +
        $"WHERE {sql.In("session_id", "@sessions")} AND state = 0 AND closed <> {sql.True} RETURNING id, tail;";

    /// <summary>Runs <see cref="EndSessionStreams"/> in <paramref name="db"/>'s transaction: the advances of the streams it closed.</summary>
    public static async Task<IReadOnlyList<StreamAdvance>> EndSessionStreamsAsync(SqlConnectionScope db, IReadOnlyCollection<string> sessionIds, DateTimeOffset until) =>
        sessionIds.Count == 0 ? [] : await db.QueryAsync(EndSessionStreams(db.Sql), r => new StreamAdvance(r.GetInt64(0), r.GetInt64(1), Closed: true, Ended: false),
            ("@sessions", db.Sql.List(sessionIds)), ("@until", db.Sql.Time(until)));

    /// <summary>The stream rows <paramref name="text"/> returns.</summary>
    public static async Task<List<StreamRow>> QueryRowsAsync(SqlConnectionScope db, string text, params (string Name, object? Value)[] args) =>
        await db.QueryAsync(text, r => ReadRow(r, db.Sql), args);
}

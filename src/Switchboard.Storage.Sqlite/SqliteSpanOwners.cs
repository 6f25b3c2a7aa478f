using Microsoft.Data.Sqlite;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// Which session owns each recent span that may start an agent, as the writer knows it: the lookup side of
/// <c>telemetry_span_owners</c>, whose rows are only appended in time order (and purged from the front).
/// <para>
/// Why in memory: span ids are random, so a table keyed by span takes each insert at a random leaf page, and SQLite's WAL
/// writes every page a commit dirtied whole: an OTLP request with 100 tool spans wrote 100 pages (400 KB) and checkpointed
/// them again, which cost a quarter of the node's OTLP throughput. Every write of this database goes through this store's
/// one writer, so the writer can keep the index itself and the table stays append-only.
/// </para>
/// <para>
/// Bounded by time as every store is: an owner recorded before the window the unit of work asks for is not found, and is
/// dropped from the front as the window moves, whether or not the purge has run yet. Also bounded in memory: at most
/// <see cref="Capacity"/> spans, the oldest forgotten first. Keys are a 64-bit hash of the span seeded per process, so a
/// sender cannot aim a span at another's entry. Owned by the writer: a transaction's additions (<see cref="Changes"/>)
/// join it once committed. At open, and when the database changed under the writer, it reads the newest rows again.
/// </para>
/// </summary>
internal sealed class SqliteSpanOwners(int capacity = SqliteSpanOwners.Capacity)
{
    /// <summary>The most spans kept: about 48 MB when full.</summary>
    public const int Capacity = 1_000_000;

    private static readonly long Salt = Random.Shared.NextInt64();

    private readonly Dictionary<ulong, (string Session, long At)> _owners = [];
    private readonly Queue<(ulong Key, long At)> _order = new();

    /// <summary>The session that owns <paramref name="span"/>, staged or committed at or after <paramref name="since"/>; the first recorded owner wins.</summary>
    public bool TryGet(string span, Changes? staged, DateTimeOffset since, out string session)
    {
        var from = since == DateTimeOffset.MinValue ? long.MinValue : since.ToUnixTimeMilliseconds();
        Forget(from);
        if (staged is not null && staged.Owners.TryGetValue(span, out session!))
        {
            return true;
        }

        // Checked again here: a clock that stepped back can leave an old entry behind a younger one in the queue.
        session = _owners.TryGetValue(Key(span), out var owner) && owner.At >= from ? owner.Session : null!;
        return session is not null;
    }

    /// <summary>Reads the newest rows recorded at or after <paramref name="since"/>, up to the capacity (at open, and after the database changed under the writer).</summary>
    public void Load(SqliteConnection connection, DateTimeOffset since)
    {
        _owners.Clear();
        _order.Clear();
        using var command = connection.CreateCommand();
        command.CommandText = WriterStatements.LoadSpanOwners;
        command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$cap", capacity);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            Add(reader.GetString(0), reader.GetString(1), reader.GetInt64(2));
        }
    }

    /// <summary>Makes a committed transaction's <paramref name="changes"/> known.</summary>
    public void Commit(Changes changes)
    {
        foreach (var (span, session) in changes.Owners)
        {
            Add(span, session, changes.At);
        }
    }

    private void Add(string span, string session, long at)
    {
        var key = Key(span);
        if (!_owners.TryAdd(key, (session, at)))
        {
            return;
        }

        _order.Enqueue((key, at));
        if (_order.Count > capacity)
        {
            _owners.Remove(_order.Dequeue().Key);
        }
    }

    /// <summary>Drops the owners recorded before <paramref name="since"/> (Unix milliseconds): rows are appended in time order.</summary>
    private void Forget(long since)
    {
        while (_order.TryPeek(out var oldest) && oldest.At < since)
        {
            _owners.Remove(_order.Dequeue().Key);
        }
    }

    private static ulong Key(string span)
    {
        // HashCode hashes bytes with a seed chosen at random per process; the salt makes the second 32 bits another hash.
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(span.AsSpan());
        var low = new HashCode();
        low.AddBytes(bytes);
        var high = new HashCode();
        high.Add(Salt);
        high.AddBytes(bytes);
        return ((ulong)(uint)high.ToHashCode() << 32) | (uint)low.ToHashCode();
    }

    /// <summary>The owners one transaction recorded, at <see cref="At"/> (Unix milliseconds).</summary>
    public sealed class Changes
    {
        public Dictionary<string, string> Owners { get; } = new(StringComparer.Ordinal);

        public long At { get; set; }
    }
}

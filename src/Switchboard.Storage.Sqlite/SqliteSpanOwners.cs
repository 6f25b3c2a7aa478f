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
/// Bounded: at most <see cref="Capacity"/> spans, the oldest forgotten first (a child whose parent span ended that many
/// agent-starting spans earlier is then not linked, as after its 24 hours in the table). Keys are a 64-bit hash of the
/// span seeded per process, so a sender cannot aim a span at another's entry. Owned by the writer: a transaction's
/// additions (<see cref="Changes"/>) join it once committed. At open, and when the database changed under the writer, it
/// reads the newest rows again.
/// </para>
/// </summary>
internal sealed class SqliteSpanOwners(int capacity = SqliteSpanOwners.Capacity)
{
    /// <summary>The most spans kept: about 40 MB when full.</summary>
    public const int Capacity = 1_000_000;

    private static readonly long Salt = Random.Shared.NextInt64();

    private readonly Dictionary<ulong, string> _owners = [];
    private readonly Queue<ulong> _order = new();

    /// <summary>The session that owns <paramref name="span"/>, staged or committed; the first recorded owner wins.</summary>
    public bool TryGet(string span, Changes? staged, out string session) =>
        (staged is not null && staged.Owners.TryGetValue(span, out session!)) || _owners.TryGetValue(Key(span), out session!);

    /// <summary>Reads the newest rows, up to the capacity (at open, and after the database changed under the writer).</summary>
    public void Load(SqliteConnection connection)
    {
        _owners.Clear();
        _order.Clear();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT span, session_id FROM (SELECT rowid AS n, span, session_id FROM telemetry_span_owners ORDER BY rowid DESC LIMIT $cap) ORDER BY n;";
        command.Parameters.AddWithValue("$cap", capacity);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            Add(reader.GetString(0), reader.GetString(1));
        }
    }

    /// <summary>Makes a committed transaction's <paramref name="changes"/> known.</summary>
    public void Commit(Changes changes)
    {
        foreach (var (span, session) in changes.Owners)
        {
            Add(span, session);
        }
    }

    private void Add(string span, string session)
    {
        var key = Key(span);
        if (!_owners.TryAdd(key, session))
        {
            return;
        }

        _order.Enqueue(key);
        if (_order.Count > capacity)
        {
            _owners.Remove(_order.Dequeue());
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

    /// <summary>The owners one transaction recorded.</summary>
    public sealed class Changes
    {
        public Dictionary<string, string> Owners { get; } = new(StringComparer.Ordinal);
    }
}

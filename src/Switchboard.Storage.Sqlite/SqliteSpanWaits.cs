using Microsoft.Data.Sqlite;
using Switchboard.Core.Storage;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// Which spans some session waits for, as the writer knows them: every write of this database goes through this store's
/// one writer, so a span not in the set has no waits, and taking its waits needs no statement (most spans that may start
/// an agent start none). Owned by the writer; a transaction's changes join it once committed. Past
/// <see cref="SpanLinkCache.Capacity"/> spans it stops tracking and asks the table every time.
/// </summary>
internal sealed class SqliteSpanWaits
{
    private HashSet<string>? _waited;

    /// <summary>False only when no session can be waiting for <paramref name="span"/>.</summary>
    public bool MayBeWaitedFor(string span) => _waited is null || _waited.Contains(span);

    /// <summary>Starts tracking from the table's contents (at open, and after the database changed under the writer).</summary>
    public void Load(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = WriterStatements.LoadWaitedSpans;
        using var reader = command.ExecuteReader();
        var spans = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            spans.Add(reader.GetString(0));
        }

        _waited = spans.Count > SpanLinkCache.Capacity ? null : spans;
    }

    /// <summary>Forgets the set: every span is looked up until the next <see cref="Load"/>.</summary>
    public void Reset() => _waited = null;

    /// <summary>Makes a committed transaction's <paramref name="changes"/> known.</summary>
    public void Commit(Changes changes)
    {
        if (_waited is null)
        {
            return;
        }

        _waited.ExceptWith(changes.Taken);
        _waited.UnionWith(changes.Waited);
        if (_waited.Count > SpanLinkCache.Capacity)
        {
            _waited = null;
        }
    }

    /// <summary>What one transaction did to the waits.</summary>
    public sealed class Changes
    {
        public List<string> Taken { get; } = [];

        public List<string> Waited { get; } = [];
    }
}

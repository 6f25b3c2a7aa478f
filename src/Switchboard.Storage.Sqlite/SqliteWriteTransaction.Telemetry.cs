using System.Globalization;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Sqlite;

/// <summary>The telemetry tables' primitives: dedupe keys, metric streams, span owners and the waits for them.</summary>
internal sealed partial class SqliteWriteTransaction
{
    public ValueTask<IReadOnlySet<string>> InsertTelemetryKeysAsync(IReadOnlyList<string> keys, DateTimeOffset at)
    {
        var fresh = new HashSet<string>(StringComparer.Ordinal);
        var insert = commands.InsertTelemetryKey;
        foreach (var key in keys)
        {
            insert.Bind(1, key);
            insert.Bind(2, at.ToUnixTimeMilliseconds());
            if (insert.ExecuteChanges() > 0)
            {
                fresh.Add(key);
            }
        }

        return ValueTask.FromResult<IReadOnlySet<string>>(fresh);
    }

    public ValueTask<IReadOnlyDictionary<string, StreamState>> ReadMetricStreamsAsync(IReadOnlyCollection<string> ids)
    {
        var found = new Dictionary<string, StreamState>(StringComparer.Ordinal);
        var select = commands.SelectStream;
        foreach (var id in ids)
        {
            select.Parameters["$s"].Value = id;
            using var reader = select.ExecuteReader();
            if (reader.Read())
            {
                found[id] = new StreamState(unchecked((ulong)reader.GetInt64(0)), unchecked((ulong)reader.GetInt64(1)),
                    decimal.Parse(reader.GetString(2), CultureInfo.InvariantCulture));
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<string, StreamState>>(found);
    }

    public ValueTask WriteMetricStreamsAsync(IReadOnlyDictionary<string, StreamState> streams, DateTimeOffset at)
    {
        var upsert = commands.UpsertStream;
        foreach (var (id, state) in streams)
        {
            upsert.Bind(1, id);
            upsert.Bind(2, unchecked((long)state.Start));
            upsert.Bind(3, unchecked((long)state.End));
            upsert.Bind(4, state.Total.ToString(CultureInfo.InvariantCulture));
            upsert.Bind(5, at.ToUnixTimeMilliseconds());
            upsert.Execute();
        }

        return ValueTask.CompletedTask;
    }

    /// <remarks>Appended to the table; the writer's index (<see cref="SqliteSpanOwners"/>) answers the lookups.</remarks>
    public ValueTask WriteSpanOwnersAsync(IReadOnlyList<(string Span, string Session)> owners, DateTimeOffset at)
    {
        var insert = commands.InsertSpanOwner;
        _ownerChanges.At = at.ToUnixTimeMilliseconds();
        foreach (var (span, session) in owners)
        {
            if (spanOwners.TryGet(span, _ownerChanges, DateTimeOffset.MinValue, out _))
            {
                continue; // the first owner stays while it is kept, as the table's row does on PostgreSQL until the purge
            }

            insert.Bind(1, span);
            insert.Bind(2, session);
            insert.Bind(3, at.ToUnixTimeMilliseconds());
            insert.Execute();
            _ownerChanges.Owners[span] = session;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyDictionary<string, string>> ReadSpanOwnersAsync(IReadOnlyCollection<string> spans, DateTimeOffset since)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var span in spans)
        {
            if (spanOwners.TryGet(span, _ownerChanges, since, out var session))
            {
                found[span] = session;
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<string, string>>(found);
    }

    public ValueTask<IReadOnlyList<(string Span, string Child)>> TakeWaitsAsync(IReadOnlyCollection<string> spans)
    {
        List<(string, string)> taken = [];
        foreach (var span in spans)
        {
            if (!waits.MayBeWaitedFor(span))
            {
                continue;
            }

            commands.TakeWaits.Parameters["$s"].Value = span;
            using var reader = commands.TakeWaits.ExecuteReader();
            while (reader.Read())
            {
                taken.Add((span, reader.GetString(0)));
            }

            _waitChanges.Taken.Add(span);
        }

        return ValueTask.FromResult<IReadOnlyList<(string, string)>>(taken);
    }

    public ValueTask WriteWaitsAsync(IReadOnlyList<(string Span, string Child)> waiting, DateTimeOffset at)
    {
        foreach (var (span, child) in waiting)
        {
            commands.InsertWait.Bind(1, span);
            commands.InsertWait.Bind(2, child);
            commands.InsertWait.Bind(3, at.ToUnixTimeMilliseconds());
            commands.InsertWait.Execute();
            _waitChanges.Waited.Add(span);
        }

        return ValueTask.CompletedTask;
    }
}

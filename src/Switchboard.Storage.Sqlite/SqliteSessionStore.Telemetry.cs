using Microsoft.Data.Sqlite;
using Switchboard.Writes;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteSessionStore
{
    /// <summary>
    /// Records the batch's telemetry keys in the write transaction and drops the observations whose key was there already
    /// (<see cref="TelemetryDedupe"/>). One prepared single-row insert per key, bound by position: a multi-row statement
    /// of hundreds of named parameters cost more to prepare and bind (SQLite looks each name up in a list) than the rows
    /// cost to insert.
    /// </summary>
    private IReadOnlyList<SessionWrite> DedupeTelemetry(WriterCommands commands, IReadOnlyList<SessionWrite> writes)
    {
        var keys = TelemetryDedupe.Keys(writes);
        if (keys.Count == 0)
        {
            return writes;
        }

        var fresh = new HashSet<string>(StringComparer.Ordinal);
        var at = Now().ToUnixTimeMilliseconds();
        var insert = commands.InsertTelemetryKey;
        foreach (var (key, session) in keys)
        {
            insert.Bind(1, key);
            insert.Bind(2, at);
            insert.Bind(3, session);
            if (insert.ExecuteChanges() > 0)
            {
                fresh.Add(key);
            }
        }

        return TelemetryDedupe.Keep(writes, fresh);
    }

    /// <summary>
    /// Turns the batch's cumulative metric points into the usage they add, against each stream's last point as this
    /// database has it, and records the streams' new last points, in the write transaction (<see cref="TelemetryStreams"/>).
    /// </summary>
    private static IReadOnlyList<SessionWrite> ResolveStreams(WriterCommands commands, IReadOnlyList<SessionWrite> writes, long now)
    {
        var ids = TelemetryStreams.Ids(writes);
        if (ids.Count == 0)
        {
            return writes;
        }

        var before = new Dictionary<string, StreamState>(StringComparer.Ordinal);
        var select = commands.SelectStream;
        foreach (var id in ids)
        {
            select.Parameters["$s"].Value = id;
            using var reader = select.ExecuteReader();
            if (reader.Read())
            {
                before[id] = new StreamState(unchecked((ulong)reader.GetInt64(0)), unchecked((ulong)reader.GetInt64(1)),
                    decimal.Parse(reader.GetString(2), System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var (resolved, after) = TelemetryStreams.Resolve(writes, before);
        var upsert = commands.UpsertStream;
        foreach (var (id, state) in after)
        {
            upsert.Bind(1, id);
            upsert.Bind(2, unchecked((long)state.Start));
            upsert.Bind(3, unchecked((long)state.End));
            upsert.Bind(4, state.Total.ToString(System.Globalization.CultureInfo.InvariantCulture));
            upsert.Bind(5, now);
            upsert.Execute();
        }

        return resolved;
    }

    /// <summary>
    /// Takes the waits for the batch's spans that may start an agent, looks up (or else records) the parent spans its
    /// sessions wait for, and appends an adoption for every link that closes (<see cref="TelemetryLinks"/>), in the write
    /// transaction. What the writer already knows (<see cref="SpanLinkCache"/>: the waits it holds, the spans some session
    /// waits for) takes no statement.
    /// </summary>
    private IReadOnlyList<SessionWrite> LinkSpans(WriterCommands commands, IReadOnlyList<SessionWrite> writes, long now, SpanLinkCache.Changes learned)
    {
        var spans = TelemetryLinks.Spans(writes);
        var waits = TelemetryLinks.Waits(writes, _links);
        List<(string Child, string Parent)> found = [];
        foreach (var (span, session) in spans)
        {
            if (!_links.MayBeWaitedFor(span))
            {
                continue;
            }

            commands.TakeWaits.Parameters["$s"].Value = span;
            using var reader = commands.TakeWaits.ExecuteReader();
            while (reader.Read())
            {
                found.Add((reader.GetString(0), session));
            }

            learned.Took(span);
        }

        foreach (var (parent, child, span) in waits)
        {
            if (SessionOfSpan(commands, span) is { } owner)
            {
                found.Add((child, owner));
                learned.Wait(parent, child, recorded: false);
                continue;
            }

            commands.InsertWait.Bind(1, parent);
            commands.InsertWait.Bind(2, child);
            commands.InsertWait.Bind(3, now);
            commands.InsertWait.Execute();
            learned.Wait(parent, child, recorded: true);
        }

        return TelemetryLinks.WithAdoptions(writes, found);
    }

    /// <summary>The session of a span that came before (by its dedupe key, <see cref="TelemetryLinks.ProbeKeys"/>); null when none did.</summary>
    private string? SessionOfSpan(WriterCommands commands, SpanParent parent)
    {
        var select = commands.SelectKeySession;
        foreach (var key in TelemetryLinks.ProbeKeys(parent, Now()))
        {
            select.Parameters["$k"].Value = key;
            if (select.ExecuteScalar() is string session)
            {
                return session;
            }
        }

        return null;
    }

    /// <summary>The spans some session waits for, as the file holds them.</summary>
    private static List<string> ReadWaitedSpans(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT span FROM telemetry_waits;";
        using var reader = command.ExecuteReader();
        var spans = new List<string>();
        while (reader.Read())
        {
            spans.Add(reader.GetString(0));
        }

        return spans;
    }

    /// <summary>Forgets telemetry keys, the last points of metric streams, and span waits, older than the dedupe window.</summary>
    private void PurgeTelemetryKeys(DateTimeOffset now)
    {
        using var command = _writer!.CreateCommand();
        command.CommandText = "DELETE FROM telemetry_keys WHERE at < $cut; DELETE FROM telemetry_streams WHERE at < $cut; " +
            "DELETE FROM telemetry_waits WHERE at < $cut;";
        command.Parameters.AddWithValue("$cut", (now - TelemetryDedupe.Window).ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    }
}

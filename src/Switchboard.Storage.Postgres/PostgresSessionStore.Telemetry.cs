using Npgsql;
using Switchboard.Writes;

namespace Switchboard.Storage.Postgres;

internal sealed partial class PostgresSessionStore
{
    /// <summary>
    /// Records the batch's telemetry keys in the write transaction with one statement, and drops the observations whose
    /// key another transaction (this node's or another's) committed first. Writers hold the log row's lock here, so two
    /// nodes never both count the same key.
    /// </summary>
    private async Task<IReadOnlyList<SessionWrite>> DedupeTelemetryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<SessionWrite> writes, CancellationToken ct)
    {
        var keys = TelemetryDedupe.Keys(writes);
        if (keys.Count == 0)
        {
            return writes;
        }

        await using var command = new NpgsqlCommand(
            "INSERT INTO switchboard_telemetry_keys (key, at, session_id) SELECT k, @at, s FROM unnest(@keys, @sessions) AS t(k, s) " +
            "ON CONFLICT (key) DO NOTHING RETURNING key;",
            connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]>("keys", [.. keys.Select(k => k.Key)]));
        command.Parameters.Add(new NpgsqlParameter<string?[]>("sessions", [.. keys.Select(k => k.Session)]));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", Now()));
        var fresh = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            fresh.Add(reader.GetString(0));
        }

        return TelemetryDedupe.Keep(writes, fresh);
    }

    /// <summary>
    /// Turns the batch's cumulative metric points into the usage they add, against each stream's last point as the
    /// database has it, and records the streams' new last points, in the write transaction (<see cref="TelemetryStreams"/>).
    /// Writers hold the log row's lock here, so two nodes never measure against the same last point.
    /// </summary>
    private async Task<IReadOnlyList<SessionWrite>> ResolveStreamsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<SessionWrite> writes, CancellationToken ct)
    {
        var ids = TelemetryStreams.Ids(writes);
        if (ids.Count == 0)
        {
            return writes;
        }

        var before = new Dictionary<string, StreamState>(StringComparer.Ordinal);
        await using (var select = new NpgsqlCommand(
            "SELECT stream, started, ended, total FROM switchboard_telemetry_streams WHERE stream = ANY(@ids);", connection, transaction))
        {
            select.Parameters.Add(new NpgsqlParameter<string[]>("ids", [.. ids]));
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                before[reader.GetString(0)] = new StreamState(unchecked((ulong)reader.GetInt64(1)), unchecked((ulong)reader.GetInt64(2)), reader.GetDecimal(3));
            }
        }

        var (resolved, after) = TelemetryStreams.Resolve(writes, before);
        if (after.Count > 0)
        {
            await using var upsert = new NpgsqlCommand(
                "INSERT INTO switchboard_telemetry_streams (stream, started, ended, total, at) " +
                "SELECT s, b, e, t, @at FROM unnest(@streams, @starts, @ends, @totals) AS u(s, b, e, t) " +
                "ON CONFLICT (stream) DO UPDATE SET started = excluded.started, ended = excluded.ended, total = excluded.total, at = excluded.at;",
                connection, transaction);
            upsert.Parameters.Add(new NpgsqlParameter<string[]>("streams", [.. after.Keys]));
            upsert.Parameters.Add(new NpgsqlParameter<long[]>("starts", [.. after.Values.Select(v => unchecked((long)v.Start))]));
            upsert.Parameters.Add(new NpgsqlParameter<long[]>("ends", [.. after.Values.Select(v => unchecked((long)v.End))]));
            upsert.Parameters.Add(new NpgsqlParameter<decimal[]>("totals", [.. after.Values.Select(v => v.Total)]));
            upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", Now()));
            await upsert.ExecuteNonQueryAsync(ct);
        }

        return resolved;
    }

    /// <summary>
    /// Takes the waits for the batch's spans that may start an agent, looks up (or else records) the parent spans its
    /// sessions wait for, and appends an adoption for every link that closes (<see cref="TelemetryLinks"/>), in the write
    /// transaction. Writers hold the log row's lock here, so a span and a session waiting for it, sent to two nodes, never
    /// miss each other. A wait this node already recorded (<see cref="SpanLinkCache"/>) is not sent again; whether a span
    /// is waited for is always asked, since other nodes record waits too.
    /// </summary>
    private async Task<IReadOnlyList<SessionWrite>> LinkSpansAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<SessionWrite> writes, SpanLinkCache.Changes learned, CancellationToken ct)
    {
        var spans = TelemetryLinks.Spans(writes);
        var waits = TelemetryLinks.Waits(writes, _links);
        if (spans.Count == 0 && waits.Count == 0)
        {
            return writes;
        }

        List<(string Child, string Parent)> found = [];
        if (spans.Count > 0)
        {
            await using var take = new NpgsqlCommand(
                "DELETE FROM switchboard_telemetry_waits WHERE span = ANY(@spans) RETURNING span, child;", connection, transaction);
            take.Parameters.Add(new NpgsqlParameter<string[]>("spans", [.. spans.Select(s => s.Span)]));
            var owners = spans.ToDictionary(s => s.Span, s => s.Session, StringComparer.Ordinal);
            await using var reader = await take.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                found.Add((reader.GetString(1), owners[reader.GetString(0)]));
            }
        }

        if (waits.Count > 0)
        {
            // A parent span that came first is found by its dedupe key, which holds its session.
            var now = Now();
            var probes = waits.SelectMany(w => TelemetryLinks.ProbeKeys(w.Span, now)).Distinct(StringComparer.Ordinal).ToArray();
            var known = new Dictionary<string, string>(StringComparer.Ordinal);
            await using (var select = new NpgsqlCommand(
                "SELECT key, session_id FROM switchboard_telemetry_keys WHERE key = ANY(@keys) AND session_id IS NOT NULL;", connection, transaction))
            {
                select.Parameters.Add(new NpgsqlParameter<string[]>("keys", probes));
                await using var reader = await select.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    known[reader.GetString(0)[TelemetryLinks.SpanKeyPrefixLength..]] = reader.GetString(1);
                }
            }

            var unresolved = waits.Where(w => !known.ContainsKey(w.Parent)).ToList();
            found.AddRange(waits.Where(w => known.ContainsKey(w.Parent)).Select(w => (w.Child, known[w.Parent])));
            foreach (var (parent, child, _) in waits)
            {
                learned.Wait(parent, child, recorded: !known.ContainsKey(parent));
            }

            if (unresolved.Count > 0)
            {
                await using var insert = new NpgsqlCommand(
                    "INSERT INTO switchboard_telemetry_waits (span, child, at) SELECT s, c, @at FROM unnest(@spans, @children) AS t(s, c) " +
                    "ON CONFLICT (span, child) DO NOTHING;", connection, transaction);
                insert.Parameters.Add(new NpgsqlParameter<string[]>("spans", [.. unresolved.Select(w => w.Parent)]));
                insert.Parameters.Add(new NpgsqlParameter<string[]>("children", [.. unresolved.Select(w => w.Child)]));
                insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", now));
                await insert.ExecuteNonQueryAsync(ct);
            }
        }

        return TelemetryLinks.WithAdoptions(writes, found);
    }
}

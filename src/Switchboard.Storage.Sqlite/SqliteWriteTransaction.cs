using Switchboard.Writes;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Switchboard.Alerts;
using Switchboard.Commands;
using Switchboard.Json;
using Switchboard.Sessions;
using Switchboard.Trees;
using Switchboard.UsageRollups;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// SQLite's primitives of a write (<see cref="IStoreTransaction"/>), on the store's one writer connection and its prepared
/// statements, inside one IMMEDIATE transaction opened under the store's write lock. SQLite runs in this process, so a
/// "round trip" is a call: the primitives run their prepared single-row statements in a loop, which costs less than
/// binding one statement of hundreds of parameters. The writer owns the database, so it may serve rows from its cache
/// (<see cref="SessionRowCache"/>) and skip looking for waits on spans nobody waits for (<see cref="SqliteSpanWaits"/>).
/// </summary>
internal sealed partial class SqliteWriteTransaction(SqliteTransaction transaction, WriterCommands commands, SessionRowCache rows,
    SqliteSpanWaits waits, LogHead head) : IStoreTransaction
{
    private readonly SqliteSpanWaits.Changes _waitChanges = new();
    private WriteBatch? _persisted;

    /// <summary>The session streams this transaction closed, for their live readers once committed.</summary>
    public IReadOnlyList<Streams.StreamAdvance> EndedStreams { get; private set; } = [];

    public async ValueTask EndSessionStreamsAsync(IReadOnlyCollection<string> sessionIds, DateTimeOffset retainUntil) =>
        EndedStreams = await Sql.SqlStreams.EndSessionStreamsAsync(new Sql.SqlSession(transaction.Connection!, transaction, SqliteDialect.Instance),
            sessionIds, retainUntil);

    /// <summary>The batch this transaction committed; null before its commit.</summary>
    public WriteBatch? Batch { get; private set; }

    public ValueTask<LogHead> ReadHeadAsync() => ValueTask.FromResult(head);

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

    public ValueTask WriteSpanOwnersAsync(IReadOnlyList<(string Span, string Session)> owners, DateTimeOffset at)
    {
        var insert = commands.InsertSpanOwner;
        foreach (var (span, session) in owners)
        {
            insert.Bind(1, span);
            insert.Bind(2, session);
            insert.Bind(3, at.ToUnixTimeMilliseconds());
            insert.Execute();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyDictionary<string, string>> ReadSpanOwnersAsync(IReadOnlyCollection<string> spans)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        var select = commands.SelectSpanOwner;
        foreach (var span in spans)
        {
            select.Parameters["$s"].Value = span;
            if (select.ExecuteScalar() is string session)
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

    public ValueTask<IReadOnlyDictionary<string, string>> ReadTreePathsAsync(IReadOnlyCollection<string> ids)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (Row(id) is { } session)
            {
                paths[id] = session.TreePath;
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<string, string>>(paths);
    }

    public ValueTask<IReadOnlyList<(string Id, string Path)>> ReadDescendantsAsync(string path, bool activeOnly, int limit)
    {
        var select = activeOnly ? commands.SelectActiveDescendants : commands.SelectDescendants;
        select.Parameters["$from"].Value = TreePath.DescendantsFrom(path);
        select.Parameters["$to"].Value = TreePath.SubtreeEnd(path);
        select.Parameters["$limit"].Value = limit;
        var found = new List<(string, string)>();
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            found.Add((reader.GetString(0), reader.GetString(1)));
        }

        return ValueTask.FromResult<IReadOnlyList<(string, string)>>(found);
    }

    public ValueTask<IReadOnlyDictionary<string, Session>> LockSessionsAsync(IReadOnlyCollection<string> ids)
    {
        var found = new Dictionary<string, Session>(ids.Count, StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (Row(id) is { } session)
            {
                found[id] = session;
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<string, Session>>(found);
    }

    public ValueTask<IReadOnlyDictionary<AlertTarget, Alert?>> ReadAlertsAsync(IReadOnlyCollection<AlertTarget> targets)
    {
        var found = new Dictionary<AlertTarget, Alert?>();
        foreach (var target in targets)
        {
            var select = target.AlertId is not null ? commands.SelectAlert : commands.SelectOpenAlert;
            if (target.AlertId is not null)
            {
                select.Parameters["$id"].Value = target.AlertId;
            }
            else
            {
                select.Parameters["$rule"].Value = target.RuleId;
                select.Parameters["$subject"].Value = target.Subject;
            }

            if (select.ExecuteScalar() is string data)
            {
                using var doc = JsonDocument.Parse(data);
                found[target] = AlertJson.ReadAlert(doc.RootElement);
            }
            else
            {
                found[target] = null;
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<AlertTarget, Alert?>>(found);
    }

    public ValueTask<IReadOnlyList<Command>> ReadCommandsAsync(CommandTargets targets)
    {
        var found = new List<Command>();
        Read(commands.SelectCommands, "$ids", targets.Ids);
        Read(commands.SelectOutstandingCommands, "$sessions", targets.Sessions);
        return ValueTask.FromResult<IReadOnlyList<Command>>(found);

        void Read(SqliteCommand select, string parameter, IReadOnlyCollection<string> values)
        {
            if (values.Count == 0)
            {
                return;
            }

            select.Parameters[parameter].Value = JsonSerializer.Serialize(values);
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                found.Add(CommandJson.Read(reader.GetString(0)));
            }
        }
    }

    public ValueTask<IReadOnlyDictionary<(string Key, string Value), long>> ReadActiveCountsAsync(IReadOnlyCollection<(string Key, string Value)> pairs)
    {
        var found = new Dictionary<(string, string), long>();
        var select = commands.SelectActive;
        foreach (var pair in pairs)
        {
            select.Parameters["$k"].Value = pair.Key;
            select.Parameters["$v"].Value = pair.Value;
            if (select.ExecuteScalar() is long n)
            {
                found[pair] = n;
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<(string, string), long>>(found);
    }

    public ValueTask PersistAsync(WriteBatch batch, UsageRollup? rollup)
    {
        _persisted = batch;
        foreach (var (session, isNew) in batch.Dirty)
        {
            var command = isNew ? commands.InsertSession : commands.UpdateSession;
            SessionFields.WriteRow(command, session, update: !isNew);
            command.Execute();
        }

        foreach (var session in batch.SubtreeDirty)
        {
            var t = session.Subtree;
            var update = commands.UpdateSubtree;
            update.Bind(1, session.Id);
            update.Bind(2, t.Sessions);
            update.Bind(3, t.Active);
            update.Bind(4, t.InputTokens);
            update.Bind(5, t.OutputTokens);
            update.Bind(6, SessionWire.Normalize(t.CostUsd).ToString(CultureInfo.InvariantCulture));
            update.Execute();
        }

        foreach (var session in batch.Moved)
        {
            var move = commands.MoveSession;
            move.Bind(1, session.Id);
            move.Bind(2, session.ParentId);
            move.Bind(3, session.RootId);
            move.Bind(4, session.Depth);
            move.Bind(5, session.TreePath);
            move.Execute();
        }

        foreach (var e in batch.Events)
        {
            var insert = commands.InsertEvent;
            insert.Bind(1, e.Seq);
            insert.Bind(2, e.At.ToUnixTimeMilliseconds());
            insert.Bind(3, e.Type);
            insert.Bind(4, e.SessionId);
            insert.Bind(5, e.Data.Span);
            insert.Bind(6, e.Labels is null ? null : SessionWire.LabelsToText(e.Labels));
            insert.Bind(7, e.PriorLabels is null ? null : SessionWire.LabelsToText(e.PriorLabels));
            insert.Bind(8, TreePath.EventRoot(e.TreePath));
            insert.Bind(9, e.TreePath);
            insert.Execute();
        }

        PersistUsage(rollup);
        foreach (var alert in batch.DirtyAlerts)
        {
            var upsert = commands.UpsertAlert;
            upsert.Bind(1, alert.Id);
            upsert.Bind(2, alert.RuleId);
            upsert.Bind(3, alert.Subject);
            upsert.Bind(4, alert.IsOpen ? 1L : 0L);
            upsert.Bind(5, alert.RaisedSeq);
            upsert.Bind(6, Encoding.UTF8.GetString(AlertJson.ToBytes(alert)));
            upsert.Execute();
        }

        foreach (var c in batch.DirtyCommands)
        {
            var upsert = commands.UpsertCommand;
            upsert.Bind(1, c.Id);
            upsert.Bind(2, c.SessionId);
            upsert.Bind(3, c.State.ToWire());
            upsert.Bind(4, c.IssuedSeq);
            upsert.Bind(5, c.ExpiresAt.ToUnixTimeMilliseconds());
            upsert.Bind(6, CommandJson.ToRow(c));
            upsert.Execute();
        }

        if (batch.Head.FleetPaused != batch.StartHead.FleetPaused)
        {
            commands.SetMeta.Parameters["$k"].Value = "fleet_paused";
            commands.SetMeta.Parameters["$v"].Value = batch.Head.FleetPaused ? "true" : "false";
            commands.SetMeta.ExecuteNonQuery();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Rollup rows are added to where they are (sums add, the peak takes the larger); active counts are set.</summary>
    private void PersistUsage(UsageRollup? rollup)
    {
        if (rollup is null)
        {
            return;
        }

        foreach (var ((key, value), count) in rollup.Active)
        {
            commands.UpsertActive.Bind(1, key);
            commands.UpsertActive.Bind(2, value);
            commands.UpsertActive.Bind(3, count);
            commands.UpsertActive.Execute();
        }

        var add = commands.AddRollup;
        foreach (var (key, delta) in rollup.Rows)
        {
            add.Bind(1, key.Bucket.ToWire());
            add.Bind(2, key.GroupKey);
            add.Bind(3, key.Start.ToUnixTimeMilliseconds());
            add.Bind(4, key.GroupValue);
            add.Bind(5, delta.InputTokens);
            add.Bind(6, delta.OutputTokens);
            add.Bind(7, Decimals.Normalize(delta.CostUsd).ToString(CultureInfo.InvariantCulture));
            add.Bind(8, delta.SessionsCreated);
            add.Bind(9, delta.SessionsTerminated);
            add.Bind(10, delta.SessionsErrored);
            add.Bind(11, delta.BusyMilliseconds);
            add.Bind(12, delta.PeakActive);
            add.Execute();
        }
    }

    public ValueTask CommitAsync()
    {
        transaction.Commit();
        waits.Commit(_waitChanges);
        Batch = _persisted;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        transaction.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The committed row of <paramref name="id"/>: from the writer's cache, else selected (and then cached).</summary>
    private Session? Row(string id)
    {
        if (rows.TryGet(id, out var cached))
        {
            return cached;
        }

        commands.SelectSession.Parameters["$id"].Value = id;
        using var reader = commands.SelectSession.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var session = SqliteDialect.Instance.ReadSession(reader);
        rows.Remember(session);
        return session;
    }
}

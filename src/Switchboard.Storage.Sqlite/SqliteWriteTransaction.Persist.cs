using System.Globalization;
using Switchboard.Json;
using Switchboard.Sessions;
using Switchboard.Trees;
using Switchboard.UsageRollups;
using Switchboard.Writes;

namespace Switchboard.Storage.Sqlite;

/// <summary>Persisting an applied batch: its rows, subtrees, moves, events, usage and the log row.</summary>
internal sealed partial class SqliteWriteTransaction
{
    public ValueTask PersistAsync(WriteBatch batch, UsageRollup? rollup)
    {
        _persisted = batch;
        foreach (var (session, isNew) in batch.Dirty)
        {
            var command = isNew ? commands.InsertSession
                : rows.TryGet(session.Id, out var before) && before is not null && before.State == session.State && before.LeaseExpiresAt == session.LeaseExpiresAt
                    ? commands.UpdateSessionKeepingIndexed // the row as committed, still in the cache until this commit
                    : commands.UpdateSession;
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
        if (batch.Head != batch.StartHead)
        {
            commands.WriteLog.Parameters["@head"].Value = batch.Head.HeadSeq;
            commands.WriteLog.Parameters["@active"].Value = batch.Head.ActiveCount;
            commands.WriteLog.Parameters["@paused"].Value = batch.Head.FleetPaused;
            commands.WriteLog.ExecuteNonQuery();
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
}

using System.Globalization;
using Switchboard.Core.Events;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Trees;
using Switchboard.Core.UsageRollups;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Sqlite;

/// <summary>Persisting a batch: its <see cref="PersistPlan"/>, each row operation one run of a prepared statement of <see cref="WriterStatements"/>.</summary>
internal sealed partial class SqliteWriteTransaction : IPersistRows
{
    public ValueTask PersistAsync(PersistPlan plan)
    {
        _persisted = plan;
        plan.WriteTo(this);
        return ValueTask.CompletedTask;
    }

    void IPersistRows.WriteSession(Session session, bool isNew)
    {
        var command = isNew ? commands.InsertSession
            : rows.TryGet(session.Id, out var before) && before is not null && before.State == session.State && before.LeaseExpiresAt == session.LeaseExpiresAt
                ? commands.UpdateSessionKeepingIndexed // the row as committed, still in the cache until this commit
                : commands.UpdateSession;
        SessionFields.WriteRow(command, session, update: !isNew);
        command.Execute();
    }

    void IPersistRows.WriteSubtree(Session session)
    {
        var t = session.Subtree;
        var update = commands.UpdateSubtree;
        update.Bind(1, t.Sessions);
        update.Bind(2, t.Active);
        update.Bind(3, t.InputTokens);
        update.Bind(4, t.OutputTokens);
        update.Bind(5, SessionWire.Normalize(t.CostUsd).ToString(CultureInfo.InvariantCulture));
        update.Bind(6, session.Id);
        update.Execute();
    }

    void IPersistRows.MoveSession(Session session)
    {
        var move = commands.MoveSession;
        move.Bind(1, session.ParentId);
        move.Bind(2, session.RootId);
        move.Bind(3, session.Depth);
        move.Bind(4, session.TreePath);
        move.Bind(5, session.Id);
        move.Execute();
    }

    void IPersistRows.AppendEvent(EventRecord e)
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

    void IPersistRows.SetActiveCount(string key, string value, long count)
    {
        commands.UpsertActive.Bind(1, key);
        commands.UpsertActive.Bind(2, value);
        commands.UpsertActive.Bind(3, count);
        commands.UpsertActive.Execute();
    }

    void IPersistRows.AddRollup(UsageKey key, UsageCounters delta)
    {
        var add = commands.AddRollup;
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

    void IPersistRows.WriteLog(LogHead head)
    {
        commands.WriteLog.Bind(1, head.HeadSeq);
        commands.WriteLog.Bind(2, head.ActiveCount);
        commands.WriteLog.Bind(3, head.FleetPaused ? 1L : 0L);
        commands.WriteLog.Execute();
    }
}

using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.UsageRollups;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Storage;

/// <summary>
/// A store's execution of one <see cref="PersistPlan"/>'s row operations, called in the plan's order: each one row of
/// one statement, run at once (SQLite) or added to the transaction's one round trip (PostgreSQL).
/// </summary>
internal interface IPersistRows
{
    /// <summary>Inserts <paramref name="session"/>'s row (<paramref name="isNew"/>) or replaces every column but the fixed ones.</summary>
    void WriteSession(Session session, bool isNew);

    /// <summary>Sets the five <c>subtree</c> totals of <paramref name="session"/>'s row.</summary>
    void WriteSubtree(Session session);

    /// <summary>Sets the parent, root, depth and path of <paramref name="session"/>'s row.</summary>
    void MoveSession(Session session);

    void AppendEvent(EventRecord e);

    /// <summary>Sets the active-session count of a label value.</summary>
    void SetActiveCount(string key, string value, long count);

    /// <summary>Adds <paramref name="delta"/> to a rollup row, creating it where none is.</summary>
    void AddRollup(UsageKey key, UsageCounters delta);

    /// <summary>Sets the log row to <paramref name="head"/>.</summary>
    void WriteLog(LogHead head);
}

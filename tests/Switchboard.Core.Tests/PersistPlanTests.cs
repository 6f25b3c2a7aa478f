using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.UsageRollups;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Tests;

/// <summary>
/// The persist plan Core builds from an applied batch (<see cref="PersistPlan"/>): every store is handed the same row
/// operations in the same order, the log row last and only when the head moved.
/// </summary>
public sealed class PersistPlanTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private static readonly Session Parent = SessionTransitions.Apply(new CreateSession { Id = "p" }, null, new WriteContext(T0, 0, false))
        .Session! with { CreatedSeq = 1 };

    private static WriteBatch Apply(params SessionWrite[] writes) =>
        WriteBatch.Apply(writes, new Dictionary<string, Session?> { ["p"] = Parent }, new LogHead(1, 1, false), T0, commands: []);

    [Fact]
    public void RowsComeInOneOrderWithTheLogRowLast()
    {
        var batch = Apply(new CreateSession { Id = "c", ParentId = "p", InputTokens = 5 }, new SetFleetPaused(true));
        var rows = new Recorder();

        PersistPlan.Of(batch, null).WriteTo(rows);

        rows.Operations.ShouldBe([
            "session c new",
            "subtree p 2 2 5",
            $"event 2 {EventTypes.SessionCreated}",
            $"event 3 {EventTypes.FleetUpdated}",
            "log 3 2 True",
        ]);
    }

    [Fact]
    public void RollupRowsComeByBucketThenGroupKeyThenStartThenGroupValue()
    {
        var events = Apply(new CreateSession { Id = "c", ParentId = "p", Labels = new Dictionary<string, string> { ["team"] = "b" } },
            new CreateSession { Id = "d", Labels = new Dictionary<string, string> { ["team"] = "a" } });
        var rollup = UsageRollup.Compute(events.Changes, ["team"], new Dictionary<(string Key, string Value), long>());
        var later = T0.AddDays(1);
        foreach (var key in new UsageKey[] { new(UsageBucket.Minute, later, "", ""), new(UsageBucket.Day, T0, "team", "z"), new(UsageBucket.Minute, later, "team", "a") })
        {
            rollup.Rows[key] = new UsageCounters { SessionsCreated = 1 };
        }

        var order = PersistPlan.Of(events, rollup).Rollups.Select(r => $"{r.Key.Bucket} {r.Key.GroupKey} {r.Key.Start:dd} {r.Key.GroupValue}").ToList();

        order.ShouldBe(
        [
            "Minute  26 ", "Minute  27 ", "Minute team 26 a", "Minute team 26 b", "Minute team 27 a",
            "Hour  26 ", "Hour team 26 a", "Hour team 26 b",
            "Day  26 ", "Day team 26 a", "Day team 26 b", "Day team 26 z",
        ]);
    }

    [Fact]
    public void ABatchThatChangesNothingHasNoRowsAndLeavesTheLogRowAlone()
    {
        var plan = PersistPlan.Of(Apply(new UpdateSession("missing") { Name = "x" }), null);
        var rows = new Recorder();

        plan.WriteTo(rows);

        plan.IsEmpty.ShouldBeTrue();
        plan.HeadMoved.ShouldBeFalse();
        rows.Operations.ShouldBeEmpty();
    }

    private sealed class Recorder : IPersistRows
    {
        public List<string> Operations { get; } = [];

        public void WriteSession(Session session, bool isNew) => Operations.Add($"session {session.Id} {(isNew ? "new" : "update")}");

        public void WriteSubtree(Session session) =>
            Operations.Add($"subtree {session.Id} {session.Subtree.Sessions} {session.Subtree.Active} {session.Subtree.InputTokens}");

        public void MoveSession(Session session) => Operations.Add($"move {session.Id}");

        public void AppendEvent(EventRecord e) => Operations.Add($"event {e.Seq} {e.Type}");

        public void SetActiveCount(string key, string value, long count) => Operations.Add($"active {key}={value} {count}");

        public void AddRollup(UsageKey key, UsageCounters delta) => Operations.Add($"rollup {key.GroupKey}={key.GroupValue}");

        public void WriteLog(LogHead head) => Operations.Add($"log {head.HeadSeq} {head.ActiveCount} {head.FleetPaused}");
    }
}

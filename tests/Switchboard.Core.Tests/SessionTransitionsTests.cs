using System.Text.Json;
using Switchboard.Core.Errors;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Tests;

public sealed class SessionTransitionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static WriteContext At(DateTimeOffset now, long active = 0) => new(now, active, FleetPaused: false);

    private static Session Created(string id = "s1", SessionState state = SessionState.Idle, int? lease = null) =>
        SessionTransitions.Apply(new CreateSession { Id = id, State = state, LeaseSeconds = lease }, null, At(T0)).Session!;

    private static JsonElement Data(WriteDecision d) => JsonDocument.Parse(d.Event!.Data).RootElement;

    [Fact]
    public void CreateStartsAtVersionOneAndCountsTheNewSessionAsActive()
    {
        var d = SessionTransitions.Apply(new CreateSession { Id = "s1", Name = "n" }, null, At(T0, active: 4));
        d.Session!.Version.ShouldBe(1);
        d.Session.State.ShouldBe(SessionState.Initializing);
        d.Event!.Type.ShouldBe(EventTypes.SessionCreated);
        Data(d).GetProperty("active_count").GetInt64().ShouldBe(5);
        Data(d).GetProperty("session").GetProperty("id").GetString().ShouldBe("s1");
        d.ActiveDelta.ShouldBe(1);
    }

    [Fact]
    public void CreatingAnExistingIdConflicts()
    {
        var d = SessionTransitions.Apply(new CreateSession { Id = "s1" }, Created(), At(T0));
        d.Error!.Kind.ShouldBe(ErrorKind.Conflict);
        d.Error.Code.ShouldBe("session_exists");
    }

    [Fact]
    public void UpdateBumpsVersionAndReportsOnlyChangedFields()
    {
        var s = Created();
        var d = SessionTransitions.Apply(new UpdateSession("s1") { State = SessionState.Working, Name = "same-as-before-no" }, s, At(T0.AddSeconds(1)));
        d.Session!.Version.ShouldBe(2);
        var changes = Data(d).GetProperty("changes");
        changes.EnumerateObject().Select(p => p.Name).ShouldBe(["name", "state", "updated_at", "subtree"], ignoreOrder: true);
        Data(d).GetProperty("previous_state").GetString().ShouldBe("idle");
        Data(d).GetProperty("version").GetInt64().ShouldBe(2);
    }

    [Fact]
    public void SettingTheCurrentStateIsNotAChange()
    {
        var s = Created(state: SessionState.Working);
        var d = SessionTransitions.Apply(new UpdateSession("s1") { State = SessionState.Working }, s, At(T0.AddSeconds(1)));
        d.Error.ShouldBeNull();
        d.Event.ShouldBeNull();
        d.Session!.Version.ShouldBe(1);
    }

    [Fact]
    public void ForbiddenTransitionNamesBothStates()
    {
        var s = Created() with { State = SessionState.Terminating };
        var d = SessionTransitions.Apply(new UpdateSession("s1") { State = SessionState.Working }, s, At(T0));
        d.Error!.Kind.ShouldBe(ErrorKind.Conflict);
        d.Error.Detail.ShouldContain("'terminating'");
        d.Error.Detail.ShouldContain("'working'");
    }

    [Fact]
    public void StaleExpectedVersionConflicts()
    {
        var d = SessionTransitions.Apply(new UpdateSession("s1") { Name = "x", ExpectedVersion = 7 }, Created(), At(T0));
        d.Error!.Code.ShouldBe("version_conflict");
        d.Error.Detail.ShouldContain("version 1");
    }

    [Fact]
    public void UpdatingAMissingSessionIsNotFound() =>
        SessionTransitions.Apply(new UpdateSession("nope") { Name = "x" }, null, At(T0)).Error!.Kind.ShouldBe(ErrorKind.NotFound);

    [Fact]
    public void LeavingErrorClearsTheErrorMessageUnlessOneIsGiven()
    {
        var s = Created() with { State = SessionState.Error, ErrorMessage = "boom" };
        SessionTransitions.Apply(new UpdateSession("s1") { State = SessionState.Idle }, s, At(T0)).Session!.ErrorMessage.ShouldBeNull();
        SessionTransitions.Apply(new UpdateSession("s1") { State = SessionState.Idle, ErrorMessage = "kept" }, s, At(T0)).Session!.ErrorMessage.ShouldBe("kept");
    }

    [Fact]
    public void UsageAddsIncrementsAndDerivesTotalTokens()
    {
        var s = Created() with { InputTokens = 10, OutputTokens = 5, CostUsd = 0.5m };
        var d = SessionTransitions.Apply(new AddUsage("s1") { InputTokens = 100, OutputTokens = 50, CostUsd = 0.25m }, s, At(T0));
        d.Session!.TotalTokens.ShouldBe(165);
        d.Session.CostUsd.ShouldBe(0.75m);
        var changes = Data(d).GetProperty("changes");
        changes.GetProperty("total_tokens").GetInt64().ShouldBe(165);
        changes.TryGetProperty("state", out _).ShouldBeFalse();
    }

    [Fact]
    public void TerminationEmitsTheFinalSessionReasonAndActiveCount()
    {
        var d = SessionTransitions.Apply(new TerminateSession("s1") { Reason = "done" }, Created(), At(T0.AddMinutes(1), active: 3));
        d.Event!.Type.ShouldBe(EventTypes.SessionTerminated);
        d.Session!.TerminatedAt.ShouldBe(T0.AddMinutes(1));
        Data(d).GetProperty("reason").GetString().ShouldBe("done");
        Data(d).GetProperty("active_count").GetInt64().ShouldBe(2);
        d.ActiveDelta.ShouldBe(-1);
    }

    [Fact]
    public void TerminatingATerminatedSessionChangesNothing()
    {
        var done = SessionTransitions.Apply(new TerminateSession("s1"), Created(), At(T0)).Session!;
        var again = SessionTransitions.Apply(new TerminateSession("s1"), done, At(T0.AddSeconds(5)));
        again.Error.ShouldBeNull();
        again.Event.ShouldBeNull();
        again.PersistSession.ShouldBeFalse();
    }

    [Fact]
    public void TerminatedSessionsRefuseUsageAndChanges()
    {
        var done = SessionTransitions.Apply(new TerminateSession("s1"), Created(), At(T0)).Session!;
        SessionTransitions.Apply(new AddUsage("s1") { InputTokens = 1 }, done, At(T0)).Error!.Kind.ShouldBe(ErrorKind.Conflict);
        SessionTransitions.Apply(new UpdateSession("s1") { Name = "late" }, done, At(T0)).Error!.Kind.ShouldBe(ErrorKind.Conflict);
    }

    [Fact]
    public void AnyUpdateRenewsTheLease()
    {
        var s = Created(lease: 30);
        s.LeaseExpiresAt.ShouldBe(T0.AddSeconds(30));
        var beat = SessionTransitions.Apply(new Heartbeat("s1"), s, At(T0.AddSeconds(20)));
        beat.Event.ShouldBeNull();
        beat.PersistSession.ShouldBeTrue();
        beat.Session!.LeaseExpiresAt.ShouldBe(T0.AddSeconds(50));
        beat.Session.Version.ShouldBe(1);
    }

    [Fact]
    public void AnExpiredLeaseMovesTheSessionToErrorWithReasonLeaseExpired()
    {
        var s = Created(state: SessionState.Working, lease: 30);
        var d = SessionTransitions.Apply(new ExpireLease("s1"), s, At(T0.AddSeconds(31)));
        d.Session!.State.ShouldBe(SessionState.Error);
        d.Session.ErrorMessage.ShouldBe("lease_expired");
        d.Session.LeaseExpiresAt.ShouldBeNull();
        Data(d).GetProperty("reason").GetString().ShouldBe("lease_expired");
        Data(d).GetProperty("previous_state").GetString().ShouldBe("working");
    }

    [Fact]
    public void AnExpiredLeaseWhileTerminatingTerminatesTheSession()
    {
        var s = Created(state: SessionState.Working, lease: 30);
        var ending = SessionTransitions.Apply(new UpdateSession("s1") { State = SessionState.Terminating }, s, At(T0.AddSeconds(10))).Session!;
        var d = SessionTransitions.Apply(new ExpireLease("s1"), ending, At(T0.AddSeconds(41)));
        d.Session!.State.ShouldBe(SessionState.Terminated);
        d.Session.TerminatedAt.ShouldBe(T0.AddSeconds(41));
        d.ActiveDelta.ShouldBe(-1);
        d.Event!.Type.ShouldBe(EventTypes.SessionTerminated);
        Data(d).GetProperty("reason").GetString().ShouldBe("lease_expired");
    }

    [Fact]
    public void ALeaseRenewedBeforeTheCheckDoesNotExpire()
    {
        var s = Created(lease: 30);
        var renewed = SessionTransitions.Apply(new Heartbeat("s1"), s, At(T0.AddSeconds(25))).Session!;
        SessionTransitions.Apply(new ExpireLease("s1"), renewed, At(T0.AddSeconds(31))).Event.ShouldBeNull();
    }

    [Fact]
    public void FleetPauseEmitsAnEventOnlyWhenTheFlagChanges()
    {
        SessionTransitions.Apply(new SetFleetPaused(true), null, At(T0)).Event!.Type.ShouldBe(EventTypes.FleetUpdated);
        SessionTransitions.Apply(new SetFleetPaused(false), null, At(T0)).Event.ShouldBeNull();
    }

    [Fact]
    public void ChangesApplyBackToTheSameSession()
    {
        var before = Created() with { Labels = new Dictionary<string, string> { ["team"] = "a" } };
        var update = new UpdateSession("s1")
        {
            State = SessionState.Error,
            ErrorMessage = "boom",
            Labels = new Dictionary<string, string> { ["team"] = "b", ["env"] = "prod" },
            Metadata = """{"k":[1,2]}""",
            TasksRunning = 3,
            LeaseSeconds = 60,
        };
        var d = SessionTransitions.Apply(update, before, At(T0.AddSeconds(3)));
        var record = new EventRecord(9, d.Event!.Type, "s1", d.Event.At, d.Event.Data);
        var rebuilt = SessionEventApplier.Apply(before, record)!;
        var expected = d.Session! with { LeaseExpiresAt = before.LeaseExpiresAt };
        rebuilt.Labels.OrderBy(kv => kv.Key).ShouldBe(expected.Labels.OrderBy(kv => kv.Key));
        (rebuilt with { Labels = expected.Labels }).ShouldBe(expected);
    }
}

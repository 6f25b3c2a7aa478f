using Switchboard.Core.Commands;
using Switchboard.Core.Events;
using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Tests;

/// <summary>
/// The writes of an API key scoped by labels as a store applies them (<see cref="WriteBatch"/>): a session outside the
/// scope does not exist for them, judged by the row the transaction holds.
/// </summary>
public sealed class ScopedWriteTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
    private static readonly KeyValuePair<string, string>[] Red = [new("team", "red")];

    private static Session Session(string id, string team, Session? parent = null) =>
        SessionTransitions.Apply(new CreateSession { Id = id, ParentId = parent?.Id, Labels = new Dictionary<string, string> { ["team"] = team } },
            null, new WriteContext(T0, 0, false) { Parent = parent }).Session! with { CreatedSeq = 1 };

    private static WriteBatch Apply(Session[] sessions, params SessionWrite[] writes) =>
        WriteBatch.Apply(writes, sessions.ToDictionary(s => s.Id, s => (Session?)s), new LogHead(10, sessions.Length, false), T0, commands: []);

    [Fact]
    public void EveryScopedWriteToASessionOutsideTheScopeIsRefusedAsMissingAndWritesNothing()
    {
        var blue = Session("b", "blue");
        var batch = Apply([blue],
            new UpdateSession("b") { State = SessionState.Working, Scope = Red },
            new AddUsage("b") { InputTokens = 5, Scope = Red },
            new Heartbeat("b") { Scope = Red },
            new TerminateSession("b") { Scope = Red },
            new TerminateSession("b") { Cascade = true, Scope = Red },
            new IssueCommand("cmd_x", "b", CommandType.Pause, null, null, 30, "key-1") { Scope = Red },
            new WithdrawCommand("b", "cmd_x") { Scope = Red },
            new DeliverCommands("b", ["cmd_x"]) { Scope = Red });

        batch.Results.ShouldAllBe(r => r.Error != null && r.Error.Code == "session_not_found");
        batch.IsEmpty.ShouldBeTrue();

        var unscoped = Apply([blue], new UpdateSession("b") { State = SessionState.Working });
        unscoped.Results.Single().Error.ShouldBeNull("a write without a scope reaches the whole fleet");
    }

    [Fact]
    public void AnotherSessionsCommandIsNotFoundRatherThanNamed()
    {
        var red = Session("r", "red");
        var blue = Session("b", "blue");
        var bluesCommand = new Command
        {
            Id = "cmd_b", SessionId = "b", Type = CommandType.Pause, IssuedAt = T0, IssuedBy = "anonymous", IssuedSeq = 5,
            ExpiresAt = T0.AddSeconds(60), State = CommandState.Pending,
        };
        var writes = new SessionWrite[] { new AcknowledgeCommand("r", "cmd_b", CommandOutcome.Done, null) { Scope = Red }, new WithdrawCommand("r", "cmd_b") { Scope = Red } };
        var batch = WriteBatch.Apply(writes, new Dictionary<string, Session?> { ["r"] = red, ["b"] = blue }, new LogHead(10, 2, false), T0, commands: [bluesCommand]);

        batch.Results.ShouldAllBe(r => r.Error != null && r.Error.Code == "command_not_found" && !r.Error.Detail.Contains("'b'"));
        batch.IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void TheScopeIsJudgedByTheRowTheTransactionHoldsNotTheOneTheRequestSaw()
    {
        var red = Session("r", "red");
        var batch = Apply([red],
            new UpdateSession("r") { Labels = new Dictionary<string, string> { ["team"] = "blue" } },
            new UpdateSession("r") { State = SessionState.Working, Scope = Red });

        batch.Results[0].Error.ShouldBeNull();
        batch.Results[1].Error!.Code.ShouldBe("session_not_found", "moved out of the scope earlier in the same commit");
        batch.Events.Count.ShouldBe(1);
    }

    [Fact]
    public void ACreateMayNeitherTakeAnIdOutsideTheScopeNorStartUnderAParentThere()
    {
        var blue = Session("b", "blue");
        var batch = Apply([blue],
            new CreateSession { Id = "b", Labels = new Dictionary<string, string> { ["team"] = "red" }, Scope = Red },
            new CreateSession { Id = "c", ParentId = "b", Labels = new Dictionary<string, string> { ["team"] = "red" }, Scope = Red },
            new CreateSession { Id = "d", Labels = new Dictionary<string, string> { ["team"] = "red" }, Scope = Red });

        batch.Results[0].Error!.Code.ShouldBe("session_exists");
        batch.Results[0].Error!.Detail.ShouldNotContain("initializing", Case.Insensitive, "nothing about the session it cannot see");
        batch.Results[1].Error!.Code.ShouldBe("parent_not_found");
        batch.Results[2].Session!.Id.ShouldBe("d");
    }

    [Fact]
    public void ScopedTelemetryWhoseParentIsOutsideTheScopeStartsARoot()
    {
        var blue = Session("b", "blue");
        var telemetry = new ApplyTelemetry("t")
        {
            Labels = new Dictionary<string, string> { ["team"] = "red" },
            Observations = [new TelemetryObservation("k1", T0, TelemetrySignal.Activity, InputTokens: 3)],
            Links = new SpanLinks([], [], ["b"]),
            Scope = Red,
        };
        var batch = Apply([blue], telemetry);

        var created = batch.Results.Single().Session!;
        created.ParentId.ShouldBeNull();
        created.Depth.ShouldBe(0);
        Apply([blue], telemetry with { Scope = null }).Results.Single().Session!.ParentId.ShouldBe("b", "without a scope it starts under its parent");
    }

    [Fact]
    public void AScopedSubAgentsHookUnderAnAgentOutsideTheScopeIsRefusedNotMadeARoot()
    {
        var blue = Session("b", "blue");
        var batch = Apply([blue], new ApplyHook("b:a:a1") { ParentId = "b", Signal = HookSignal.Working, Labels = new Dictionary<string, string> { ["team"] = "red" }, Scope = Red });

        batch.Results.Single().Error!.Code.ShouldBe("parent_not_found", "the agent it would run under does not exist for the key");
        batch.IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void AScopedCascadeEndsOnlyTheDescendantsInsideTheScope()
    {
        var root = Session("r", "red");
        var blueChild = Session("r-blue", "blue", root);
        var redChild = Session("r-red", "red", root);
        var redUnderBlue = Session("r-blue-red", "red", blueChild);
        Session[] sessions = [root, blueChild, redChild, redUnderBlue];
        var plan = new CascadePlan(["r-blue-red", "r-red", "r-blue"], Complete: true);
        var batch = WriteBatch.Apply([new TerminateSession("r") { Cascade = true, Scope = Red }],
            sessions.ToDictionary(s => s.Id, s => (Session?)s), new LogHead(10, sessions.Length, false), T0, commands: [],
            cascades: new Dictionary<string, CascadePlan> { ["r"] = plan });

        batch.Results.Single().Error.ShouldBeNull();
        batch.Events.Where(e => e.Type == EventTypes.SessionTerminated).Select(e => e.SessionId)
            .ShouldBe(["r-blue-red", "r-red", "r"], ignoreOrder: true);
    }
}

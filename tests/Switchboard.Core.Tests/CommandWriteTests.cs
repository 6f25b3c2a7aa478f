using Switchboard.Core.Commands;
using Switchboard.Core.Errors;
using Switchboard.Core.Events;
using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Tests;

/// <summary>Command writes as a store applies them (<see cref="WriteBatch"/>): the state machine, delivery in write answers, and the clock.</summary>
public sealed class CommandWriteTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static Session Session(string id = "s1", SessionState state = SessionState.Working, bool accepts = true) =>
        SessionTransitions.Apply(new CreateSession { Id = id, State = state, AcceptsCommands = accepts }, null, new WriteContext(T0, 0, false)).Session!
            with { CreatedSeq = 1 };

    private static WriteBatch Apply(DateTimeOffset now, IEnumerable<Command> commands, params SessionWrite[] writes) =>
        Apply(now, [Session()], commands, writes);

    private static WriteBatch Apply(DateTimeOffset now, Session[] sessions, IEnumerable<Command> commands, params SessionWrite[] writes) =>
        WriteBatch.Apply(writes, sessions.ToDictionary(s => s.Id, s => (Session?)s), new LogHead(10, sessions.Length, false), now, commands: commands);

    private static Command Issued(string id = "cmd_1", CommandState state = CommandState.Pending, int expiresIn = 60) => new()
    {
        Id = id, SessionId = "s1", Type = CommandType.Pause, IssuedAt = T0, IssuedBy = "anonymous", IssuedSeq = 5,
        ExpiresAt = T0.AddSeconds(expiresIn), State = state, DeliveredAt = state == CommandState.Delivered ? T0 : null,
    };

    [Fact]
    public void AnIssueAppendsCommandIssuedWithTheNextSeqAndTheSessionsLabels()
    {
        var batch = Apply(T0, [], new IssueCommand("cmd_new", "s1", CommandType.Cancel, "why", null, 30, "anonymous"));
        var result = batch.Results.Single();
        result.Error.ShouldBeNull();
        result.Command!.State.ShouldBe(CommandState.Pending);
        result.Command.IssuedSeq.ShouldBe(11);
        result.Command.ExpiresAt.ShouldBe(T0.AddSeconds(30));
        batch.Events.Single().Type.ShouldBe(EventTypes.CommandIssued);
        batch.Events.Single().SessionId.ShouldBe("s1");
        batch.DirtyCommands.Single().Id.ShouldBe("cmd_new");
        batch.Head.HeadSeq.ShouldBe(11);
    }

    [Theory]
    [InlineData(SessionState.Terminating, "session_ending")]
    [InlineData(SessionState.Terminated, "session_ending")]
    public void AnEndingSessionTakesNoCommandAndNothingIsWritten(SessionState state, string code)
    {
        var batch = Apply(T0, [Session(state: state)], [], new IssueCommand("cmd_x", "s1", CommandType.Cancel, null, null, 30, "anonymous"));
        batch.Results.Single().Error!.Code.ShouldBe(code);
        batch.IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void ASessionThatCannotReceiveCommandsIsAConflictAndAnUnknownOneNotFound()
    {
        Apply(T0, [Session(accepts: false)], [], new IssueCommand("cmd_x", "s1", CommandType.Pause, null, null, 30, "a"))
            .Results.Single().Error!.Code.ShouldBe("commands_not_supported");
        Apply(T0, [Session()], [], new IssueCommand("cmd_x", "other", CommandType.Pause, null, null, 30, "a"))
            .Results.Single().Error!.Kind.ShouldBe(ErrorKind.NotFound);
    }

    [Fact]
    public void AProducersWriteHandsOverItsDueCommandsOldestFirstAndALaterAnswerInTheSameBatchNothing()
    {
        var older = Issued("cmd_a", CommandState.Delivered) with { IssuedSeq = 3, Attempt = 1, RedeliverAt = T0 };
        var newer = Issued("cmd_b") with { IssuedSeq = 4 };
        var batch = Apply(T0.AddSeconds(1), [newer, older], new Heartbeat("s1") { DeliversCommands = true }, new Heartbeat("s1") { DeliversCommands = true });
        batch.Results[0].Commands!.Select(c => (c.Id, c.State, c.Attempt)).ShouldBe([("cmd_a", CommandState.Delivered, 2), ("cmd_b", CommandState.Delivered, 1)]);
        batch.Results[1].Commands.ShouldBeEmpty("handed over once: the second answer is inside both visibility timeouts");
        batch.Events.Select(e => e.Type).ShouldBe([EventTypes.CommandDelivered, EventTypes.CommandDelivered]);
        var a = batch.DirtyCommands.Single(c => c.Id == "cmd_a");
        a.DeliveredAt.ShouldBe(T0, "delivered_at says when it was first handed over");
        a.RedeliverAt.ShouldBe(T0.AddSeconds(1) + CommandPolicy.Default.RedeliverAfter);
        batch.DirtyCommands.Single(c => c.Id == "cmd_b").DeliveredAt.ShouldBe(T0.AddSeconds(1));
    }

    [Fact]
    public void AWriteThatDoesNotDeliverAndATerminatedSessionHandOverNothing()
    {
        Apply(T0, [Issued()], new Heartbeat("s1")).Results.Single().Commands.ShouldBeNull("the in-process producer's writes do not deliver");
        Apply(T0, [Issued()], new TerminateSession("s1") { DeliversCommands = true }).Results.Single().Commands.ShouldBeNull();
    }

    [Fact]
    public void PastItsExpiryACommandIsNeitherHandedOverNorAnswerableBeforeTheExpiryJobWritesIt()
    {
        var due = Issued(expiresIn: 5);
        var later = T0.AddSeconds(5);
        var batch = Apply(later, [due], new Heartbeat("s1") { DeliversCommands = true });
        batch.Results.Single().Commands.ShouldBeEmpty();
        batch.Events.ShouldBeEmpty();
        Apply(later, [due], new AcknowledgeCommand("s1", due.Id, CommandOutcome.Done, null)).Results.Single().Error!.Code.ShouldBe("command_expired");
        Apply(later, [due], new WithdrawCommand("s1", due.Id)).Results.Single().Error!.Code.ShouldBe("command_expired");

        var expired = Apply(later, [due], new ExpireCommand("s1", due.Id));
        expired.Events.Single().Type.ShouldBe(EventTypes.CommandExpired);
        expired.DirtyCommands.Single().State.ShouldBe(CommandState.Expired);
        Apply(T0.AddSeconds(4), [due], new ExpireCommand("s1", due.Id)).IsEmpty.ShouldBeTrue("not due yet: the expiry re-checks in the transaction");
        Apply(later, [due with { State = CommandState.Acknowledged }], new ExpireCommand("s1", due.Id)).IsEmpty.ShouldBeTrue("acknowledged first wins");
    }

    [Fact]
    public void AcknowledgingAPendingCommandDeliversItFirstAndTheSameAnswerAgainChangesNothing()
    {
        var batch = Apply(T0.AddSeconds(1), [Issued()], new AcknowledgeCommand("s1", "cmd_1", CommandOutcome.Rejected, "cannot"));
        batch.Events.Select(e => e.Type).ShouldBe([EventTypes.CommandDelivered, EventTypes.CommandAcknowledged]);
        var acknowledged = batch.Results.Single().Command!;
        acknowledged.State.ShouldBe(CommandState.Acknowledged);
        acknowledged.DeliveredAt.ShouldBe(T0.AddSeconds(1));

        var again = Apply(T0.AddSeconds(2), [acknowledged], new AcknowledgeCommand("s1", "cmd_1", CommandOutcome.Rejected, "cannot"));
        again.IsEmpty.ShouldBeTrue();
        again.Results.Single().Command.ShouldBe(acknowledged);
        Apply(T0.AddSeconds(2), [acknowledged], new AcknowledgeCommand("s1", "cmd_1", CommandOutcome.Done, null))
            .Results.Single().Error!.Code.ShouldBe("command_already_acknowledged");
    }

    [Fact]
    public void ARaisedAlertWithAnActionIssuesItsCommandRightAfterItAndARepeatedRaiseIssuesNone()
    {
        var alert = new Switchboard.Core.Alerts.Alert
        {
            Id = "al_1", RuleId = "budget", RuleName = "Budget", Condition = Switchboard.Core.Alerts.AlertCondition.SessionCost, Severity = Switchboard.Core.Alerts.AlertSeverity.Critical,
            Subject = "s1", SessionId = "s1", Message = "over",
        };
        var raise = new RaiseAlert(alert) { Action = new CommandAction(CommandType.Cancel, "over budget") };
        var batch = WriteBatch.Apply([raise], new Dictionary<string, Session?> { ["s1"] = Session() }, new LogHead(10, 1, false), T0,
            new Dictionary<AlertTarget, Switchboard.Core.Alerts.Alert?> { [AlertTarget.Open("budget", "s1")] = null });
        batch.Events.Select(e => (e.Seq, e.Type)).ShouldBe([(11L, EventTypes.AlertRaised), (12L, EventTypes.CommandIssued)]);
        var command = batch.Results.Single().Command!;
        command.IssuedBy.ShouldBe("rule:budget");
        command.Data.ShouldBe("""{"alert_id":"al_1","rule_id":"budget"}""");

        var repeated = WriteBatch.Apply([raise], new Dictionary<string, Session?> { ["s1"] = Session() }, new LogHead(12, 1, false), T0,
            new Dictionary<AlertTarget, Switchboard.Core.Alerts.Alert?> { [AlertTarget.Open("budget", "s1")] = alert });
        repeated.IsEmpty.ShouldBeTrue("the alert is open already, so neither it nor its command is written again");
    }
}

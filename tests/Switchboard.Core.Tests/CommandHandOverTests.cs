using System.Text.Json;
using Switchboard.Core.Commands;
using Switchboard.Core.Errors;
using Switchboard.Core.Events;
using Switchboard.Core.Hosting;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Tests;

/// <summary>
/// The hand-over rule (<see cref="Command.IsDueAt"/>) as the write transaction and the long-poll apply it: only what an
/// answer carries is delivered, a delivered command not acknowledged within its visibility timeout is handed over again
/// with the next attempt, and a session holds at most <see cref="CommandPolicy.MaxOutstanding"/> outstanding commands.
/// </summary>
public sealed class CommandHandOverTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Visibility = CommandPolicy.Default.RedeliverAfter;

    private static Session Session(string id = "s1") =>
        SessionTransitions.Apply(new CreateSession { Id = id, State = SessionState.Working }, null, new WriteContext(T0, 0, false)).Session! with { CreatedSeq = 1 };

    private static WriteBatch Apply(DateTimeOffset now, IEnumerable<Command> commands, params SessionWrite[] writes) =>
        WriteBatch.Apply(writes, new Dictionary<string, Session?> { ["s1"] = Session() }, new LogHead(10, 1, false), now, commands: commands);

    private static Command Pending(string id, long seq, int expiresIn = 300) => new()
    {
        Id = id, SessionId = "s1", Type = CommandType.Message, Text = id, IssuedAt = T0, IssuedBy = "anonymous", IssuedSeq = seq,
        ExpiresAt = T0.AddSeconds(expiresIn),
    };

    private static IssueCommand Issue(string id, int max) =>
        new(id, "s1", CommandType.Pause, null, null, 60, "anonymous") { CommandPolicy = CommandPolicy.Default with { MaxOutstanding = max } };

    /// <summary>Applies one write at <paramref name="now"/> to the commands as the store would hold them after <paramref name="before"/>.</summary>
    private static (WriteBatch Batch, List<Command> After) Step(List<Command> before, DateTimeOffset now, SessionWrite write)
    {
        var batch = Apply(now, before, write);
        var after = before.Select(c => batch.DirtyCommands.FirstOrDefault(d => d.Id == c.Id) ?? c).ToList();
        after.AddRange(batch.DirtyCommands.Where(d => before.All(c => c.Id != d.Id)));
        return (batch, after);
    }

    [Fact]
    public void ALongPollsHandOverDeliversOnlyTheCommandsItAnswersWith()
    {
        List<Command> rows = [Pending("cmd_1", 1), Pending("cmd_2", 2), Pending("cmd_3", 3)];
        var handedOver = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            // What a limit=1 long-poll does: read, pick one, hand that one over.
            var now = T0.AddSeconds(i);
            var pick = CommandPoll.Select(rows, [CommandState.Pending], handsOver: true, limit: 1, now);
            pick.Matched.Count.ShouldBe(1);
            var (batch, after) = Step(rows, now, new DeliverCommands("s1", [.. pick.Due]));
            var answer = pick.Answer(batch.Results.Single().Commands!);
            answer.Single().State.ShouldBe(CommandState.Delivered);
            batch.Events.Count.ShouldBe(1, "one command_delivered: the one answered with");
            handedOver.Add(answer.Single().Id);
            rows = after;
        }

        handedOver.ShouldBe(["cmd_1", "cmd_2", "cmd_3"]);
        rows.ShouldAllBe(c => c.State == CommandState.Delivered && c.Attempt == 1);
    }

    [Fact]
    public void AnUnacknowledgedCommandIsHandedOverAgainAfterItsVisibilityTimeoutWithTheNextAttempt()
    {
        List<Command> rows = [Pending("cmd_1", 1)];
        var (first, afterFirst) = Step(rows, T0, new Heartbeat("s1") { DeliversCommands = true });
        first.Results.Single().Commands!.Single().Attempt.ShouldBe(1);

        var (inside, _) = Step(afterFirst, T0 + Visibility - TimeSpan.FromMilliseconds(1), new Heartbeat("s1") { DeliversCommands = true });
        inside.Results.Single().Commands.ShouldBeEmpty("inside its visibility timeout a delivered command is not repeated");
        inside.Events.ShouldNotContain(e => EventTypes.IsCommand(e.Type));

        var (again, afterAgain) = Step(afterFirst, T0 + Visibility, new Heartbeat("s1") { DeliversCommands = true });
        var redelivered = again.Results.Single().Commands!.Single();
        redelivered.Attempt.ShouldBe(2);
        redelivered.State.ShouldBe(CommandState.Delivered);
        redelivered.DeliveredAt.ShouldBe(T0, "delivered_at stays the first hand-over");
        var logged = again.Events.Single(e => EventTypes.IsCommand(e.Type));
        logged.Type.ShouldBe(EventTypes.CommandDelivered);
        using (var data = JsonDocument.Parse(logged.Data))
        {
            data.RootElement.GetProperty("attempt").GetInt32().ShouldBe(2);
            data.RootElement.GetProperty("command").GetProperty("attempt").GetInt32().ShouldBe(2);
        }

        // Withdrawing stays refused once a command was handed over, however often.
        Apply(T0 + Visibility, afterAgain, new WithdrawCommand("s1", "cmd_1")).Results.Single().Error!.Code.ShouldBe("command_delivered");
        // And a long-poll on pending takes it too once it is due again.
        CommandPoll.Select(afterFirst, [CommandState.Pending], handsOver: true, 10, T0 + Visibility).Due.ShouldBe(["cmd_1"]);
        var waiting = CommandPoll.Select(afterFirst, [CommandState.Pending], handsOver: true, 10, T0.AddSeconds(1));
        waiting.Matched.ShouldBeEmpty();
        waiting.NextRedelivery.ShouldBe(T0 + Visibility, "the poll wakes when the visibility timeout passes");
        CommandPoll.Select(afterFirst, [CommandState.Pending], handsOver: false, 10, T0 + Visibility).Matched.ShouldBeEmpty("a read key only watches pending ones");
    }

    [Fact]
    public void AHandOverThatLostTheRaceAnswersNothingRatherThanACommandItDidNotHandOver()
    {
        List<Command> rows = [Pending("cmd_1", 1)];
        var pick = CommandPoll.Select(rows, [CommandState.Pending], handsOver: true, 10, T0);
        var (_, taken) = Step(rows, T0, new Heartbeat("s1") { DeliversCommands = true }); // another answer took it first
        var (batch, _) = Step(taken, T0, new DeliverCommands("s1", [.. pick.Due]));
        batch.IsEmpty.ShouldBeTrue();
        pick.Answer(batch.Results.Single().Commands!).ShouldBeEmpty();
    }

    [Fact]
    public void ASessionTakesAtMostMaxOutstandingCommandsAndExpiredOrAnsweredOnesDoNotCount()
    {
        List<Command> rows = [Pending("cmd_1", 1), Pending("cmd_2", 2, expiresIn: 5)];
        var refused = Apply(T0, rows, Issue("cmd_3", max: 2)).Results.Single().Error!;
        refused.Kind.ShouldBe(ErrorKind.TooMany);
        refused.Code.ShouldBe("too_many_commands");
        refused.Detail.ShouldContain("2 outstanding commands");
        refused.Detail.ShouldContain(CommandPolicy.MaxOutstandingSetting);
        Apply(T0, rows, Issue("cmd_3", max: 2)).IsEmpty.ShouldBeTrue("a refused issue writes nothing");

        Apply(T0.AddSeconds(5), rows, Issue("cmd_3", max: 2)).Results.Single().Error.ShouldBeNull("an expired command no longer counts");
        var answered = rows[0] with { State = CommandState.Acknowledged };
        Apply(T0, [answered, rows[1]], Issue("cmd_3", max: 2)).Results.Single().Error.ShouldBeNull();

        // Within one batch the second issue counts the first.
        var batch = Apply(T0, [rows[0]], Issue("cmd_3", max: 2), Issue("cmd_4", max: 2));
        batch.Results[0].Error.ShouldBeNull();
        batch.Results[1].Error!.Code.ShouldBe("too_many_commands");
    }

    [Fact]
    public void AWriteAnswerCarriesAtMostMaxOutstandingCommandsOldestFirstAndTheRestStayPending()
    {
        var rows = Enumerable.Range(1, 5).Select(i => Pending($"cmd_{i}", i)).Reverse().ToList();
        var write = new Heartbeat("s1") { DeliversCommands = true, CommandPolicy = CommandPolicy.Default with { MaxOutstanding = 3 } };
        var (batch, after) = Step(rows, T0, write);
        batch.Results.Single().Commands!.Select(c => c.Id).ShouldBe(["cmd_1", "cmd_2", "cmd_3"]);
        after.Where(c => c.State == CommandState.Pending).Select(c => c.Id).Order().ToList().ShouldBe(["cmd_4", "cmd_5"], "not handed over, so not delivered");
        Step(after, T0.AddSeconds(1), write).Batch.Results.Single().Commands!.Select(c => c.Id).ShouldBe(["cmd_4", "cmd_5"]);
    }

    [Fact]
    public void ARulesActionPastTheCapIsSkippedAndTheAlertSaysSo()
    {
        var alert = new Switchboard.Core.Alerts.Alert
        {
            Id = "al_1", RuleId = "budget", RuleName = "Budget", Condition = Switchboard.Core.Alerts.AlertCondition.SessionCost, Severity = Switchboard.Core.Alerts.AlertSeverity.Critical,
            Subject = "s1", SessionId = "s1", Message = "Session 's1' has cost 6 USD (threshold 5).",
        };
        var raise = new RaiseAlert(alert) { Action = new CommandAction(CommandType.Cancel, "over budget"), CommandPolicy = CommandPolicy.Default with { MaxOutstanding = 1 } };
        var batch = WriteBatch.Apply([raise], new Dictionary<string, Session?> { ["s1"] = Session() }, new LogHead(10, 1, false), T0,
            new Dictionary<AlertTarget, Switchboard.Core.Alerts.Alert?> { [AlertTarget.Open("budget", "s1")] = null }, [Pending("cmd_1", 1)]);
        var result = batch.Results.Single();
        result.Error.ShouldBeNull("the alert stands");
        result.Command.ShouldBeNull();
        result.ActionSkipped!.Code.ShouldBe("too_many_commands");
        result.Alert!.Message.ShouldBe("Session 's1' has cost 6 USD (threshold 5). Its cancel action was not issued: the session is at its limit of 1 outstanding commands " +
            "(Switchboard:Commands:MaxOutstandingPerSession).");
        batch.Events.Select(e => e.Type).ShouldBe([EventTypes.AlertRaised]);
        batch.DirtyAlerts.Single().Message.ShouldBe(result.Alert.Message, "the stored alert says it too");
        batch.DirtyCommands.ShouldBeEmpty();
    }

    [Fact]
    public void ARowStoredBeforeAttemptsWereCountedReadsAsHandedOverOnceAndIsDueAgainAtOnce()
    {
        // The stored JSON of a delivered command written by a server without redelivery: no attempt, no redeliver_at.
        var legacy = CommandJson.Read("""
            {"id":"cmd_1","session_id":"s1","type":"pause","text":null,"data":null,"state":"delivered","issued_at":"2026-11-21T10:00:00.000Z",
             "issued_by":"anonymous","expires_at":"2026-11-21T10:05:00.000Z","delivered_at":"2026-11-21T10:00:01.000Z","acknowledged_at":null,
             "outcome":null,"note":null,"issued_seq":5}
            """);
        legacy.Attempt.ShouldBe(1);
        legacy.RedeliverAt.ShouldBeNull();
        legacy.IsDueAt(T0.AddSeconds(2)).ShouldBeTrue("it was handed over before this server counted: once more, at once");
        var (batch, _) = Step([legacy], T0.AddSeconds(2), new Heartbeat("s1") { DeliversCommands = true });
        batch.Results.Single().Commands!.Single().Attempt.ShouldBe(2);

        // What the store keeps now round-trips, and the wire shape does not carry the visibility timeout.
        var stored = batch.DirtyCommands.Single();
        CommandJson.Read(CommandJson.ToRow(stored)).ShouldBe(stored);
        using var wire = JsonDocument.Parse(JsonBytes.Write(w => CommandJson.Write(w, stored)));
        wire.RootElement.TryGetProperty("redeliver_at", out _).ShouldBeFalse();
        wire.RootElement.GetProperty("attempt").GetInt32().ShouldBe(2);
    }
}

using System.Text.Json;
using Switchboard.Core.Commands;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Tests;

/// <summary>
/// Commands: each change one event in the same transaction as the command row; a producer's write and a long-poll hand
/// over only the due commands they carry, and hand one over again after its visibility timeout; a session holds at most
/// the cap; the outstanding ones load with the state; expiry is found by time.
/// </summary>
public abstract partial class StoreContractTests
{
    private static IssueCommand Issue(string session, CommandType type = CommandType.Pause, int expiresIn = 60) =>
        new(Command.NewId(DateTimeOffset.UnixEpoch), session, type, null, null, expiresIn, "anonymous");

    [Fact]
    public async Task ACommandIsIssuedDeliveredInAProducersWriteAndAcknowledgedEachStepOneEventWithItsRow()
    {
        var store = await OpenAsync();
        var commands = (IRequestStore<Command, CommandState>)store;
        await WriteOne(store, new CreateSession { Id = "s1", Labels = new Dictionary<string, string> { ["team"] = "red" } });
        await WriteOne(store, new CreateSession { Id = "quiet" });
        var issued = await WriteOne(store, Issue("s1"));
        issued.Event!.Type.ShouldBe(EventTypes.CommandIssued);
        issued.Event.SessionId.ShouldBe("s1");
        issued.Event.Labels!["team"].ShouldBe("red");
        issued.Command!.IssuedSeq.ShouldBe(issued.Event.Seq);
        var id = issued.Command.Id;

        // A batch: the other session's write hands nothing over; s1's heartbeat hands the command over, its usage not again.
        var results = await store.WriteAsync(
        [
            new Heartbeat("quiet") { DeliversCommands = true },
            new Heartbeat("s1") { DeliversCommands = true },
            new AddUsage("s1") { InputTokens = 5, DeliversCommands = true },
        ], CancellationToken.None);
        results[0].Commands.ShouldBeEmpty();
        results[1].Commands!.Single().State.ShouldBe(CommandState.Delivered);
        results[2].Commands.ShouldBeEmpty("handed over once: the usage answer is inside its visibility timeout");
        (await commands.GetAsync(id, CancellationToken.None))!.State.ShouldBe(CommandState.Delivered);

        var acknowledged = await WriteOne(store, new AcknowledgeCommand("s1", id, CommandOutcome.Done, "ok"));
        acknowledged.Command!.State.ShouldBe(CommandState.Acknowledged);
        (await WriteOne(store, new Heartbeat("s1") { DeliversCommands = true })).Commands.ShouldBeEmpty();
        var stored = (await commands.ListAsync("s1", null, 10, CancellationToken.None)).Single();
        stored.State.ShouldBe(CommandState.Acknowledged);
        stored.IssuedSeq.ShouldBe(issued.Event.Seq);
        stored.Note.ShouldBe("ok");

        var events = (await store.ReadEventsAsync(new EventQuery { AfterSeq = 0, SessionId = "s1" }, CancellationToken.None)).Select(e => e.Type).ToList();
        events.ShouldBe([EventTypes.SessionCreated, EventTypes.CommandIssued, EventTypes.CommandDelivered, EventTypes.SessionUpdated, EventTypes.CommandAcknowledged]);
    }

    [Fact]
    public async Task OutstandingCommandsLoadWithTheStateAndExpiredOnesAreFoundAndExpiredOnce()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "s1" });
        var soon = (await WriteOne(store, Issue("s1", expiresIn: 5))).Command!.Id;
        var later = (await WriteOne(store, Issue("s1", CommandType.Cancel, expiresIn: 600))).Command!.Id;
        var done = (await WriteOne(store, Issue("s1", CommandType.Resume))).Command!.Id;
        await WriteOne(store, new AcknowledgeCommand("s1", done, CommandOutcome.Done, null));
        await CloseAsync(store);

        store = await OpenAsync();
        var state = await store.LoadStateAsync(CancellationToken.None);
        state.OutstandingCommands.Select(c => c.Id).ShouldBe([soon, later]);
        var commands = (IRequestStore<Command, CommandState>)store;
        (await commands.FindExpiredAsync(Time.GetUtcNow(), 10, CancellationToken.None)).ShouldBeEmpty();

        Time.Advance(TimeSpan.FromSeconds(6));
        var due = await commands.FindExpiredAsync(Time.GetUtcNow(), 10, CancellationToken.None);
        due.ShouldBe([("s1", soon)]);
        var expired = await WriteOne(store, new ExpireCommand("s1", soon));
        expired.Event!.Type.ShouldBe(EventTypes.CommandExpired);
        using (var data = JsonDocument.Parse(expired.Event.Data))
        {
            data.RootElement.GetProperty("command").GetProperty("state").GetString().ShouldBe("expired");
        }

        (await WriteOne(store, new ExpireCommand("s1", soon))).Event.ShouldBeNull("an expiry is written once");
        (await commands.FindExpiredAsync(Time.GetUtcNow(), 10, CancellationToken.None)).ShouldBeEmpty();
        (await store.LoadStateAsync(CancellationToken.None)).OutstandingCommands.Select(c => c.Id).ShouldBe([later]);
    }

    [Fact]
    public async Task AHandOverDeliversOnlyTheCommandsItCarriesAndAnUnacknowledgedOneComesAgainWithTheNextAttempt()
    {
        var store = await OpenAsync();
        var commands = (IRequestStore<Command, CommandState>)store;
        await WriteOne(store, new CreateSession { Id = "s1" });
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await WriteOne(store, Issue("s1", CommandType.Message, expiresIn: 300))).Command!.Id);
        }

        // A long-poll with limit=1 hands over the first only: the others stay pending for the next poll.
        var first = await WriteOne(store, new DeliverCommands("s1", [ids[0]]));
        first.Commands!.Select(c => (c.Id, c.Attempt)).ShouldBe([(ids[0], 1)]);
        (await commands.ListAsync("s1", [CommandState.Pending], 10, CancellationToken.None)).Select(c => c.Id).ShouldBe([ids[1], ids[2]]);
        var stored = (await commands.GetAsync(ids[0], CancellationToken.None))!;
        stored.State.ShouldBe(CommandState.Delivered);
        stored.Attempt.ShouldBe(1);
        stored.RedeliverAt.ShouldBe(Time.GetUtcNow() + CommandPolicy.Default.RedeliverAfter, "the store keeps the visibility timeout");
        (await WriteOne(store, new DeliverCommands("s1", [ids[0]]))).Commands.ShouldBeEmpty("inside its visibility timeout it is not handed over again");

        // Past it, a producer's write hands over the two still pending and the unacknowledged one again, oldest first.
        Time.Advance(CommandPolicy.Default.RedeliverAfter);
        var beat = await WriteOne(store, new Heartbeat("s1") { DeliversCommands = true });
        beat.Commands!.Select(c => (c.Id, c.Attempt)).ShouldBe([(ids[0], 2), (ids[1], 1), (ids[2], 1)]);
        (await commands.GetAsync(ids[0], CancellationToken.None))!.Attempt.ShouldBe(2);
        (await WriteOne(store, new WithdrawCommand("s1", ids[0]))).Error!.Code.ShouldBe("command_delivered");

        var delivered = (await store.ReadEventsAsync(new EventQuery { AfterSeq = 0, SessionId = "s1" }, CancellationToken.None))
            .Where(e => e.Type == EventTypes.CommandDelivered)
            .Select(e =>
            {
                using var data = JsonDocument.Parse(e.Data);
                return (data.RootElement.GetProperty("command").GetProperty("id").GetString(), data.RootElement.GetProperty("attempt").GetInt32());
            })
            .ToList();
        delivered.ShouldBe([(ids[0], 1), (ids[0], 2), (ids[1], 1), (ids[2], 1)]);
    }

    [Fact]
    public async Task ASessionTakesAtMostTheCapOfOutstandingCommands()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "s1" });
        var capped = CommandPolicy.Default with { MaxOutstanding = 2 };
        var first = (await WriteOne(store, Issue("s1") with { CommandPolicy = capped })).Command!.Id;
        (await WriteOne(store, Issue("s1") with { Id = Command.NewId(Time.GetUtcNow()), CommandPolicy = capped })).Error.ShouldBeNull();
        var refused = await WriteOne(store, Issue("s1") with { Id = Command.NewId(Time.GetUtcNow()), CommandPolicy = capped });
        refused.Error!.Code.ShouldBe("too_many_commands");
        refused.Event.ShouldBeNull();

        await WriteOne(store, new WithdrawCommand("s1", first));
        (await WriteOne(store, Issue("s1") with { Id = Command.NewId(Time.GetUtcNow()), CommandPolicy = capped })).Error.ShouldBeNull("a withdrawn command frees its place");
        (await ((IRequestStore<Command, CommandState>)store).ListAsync("s1", [CommandState.Pending], 10, CancellationToken.None)).Count.ShouldBe(2);
    }
}

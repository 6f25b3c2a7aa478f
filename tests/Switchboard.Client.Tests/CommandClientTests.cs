using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>
/// Commands in the .NET SDK against a real server: a handle receives, acknowledges and obeys a command through its
/// heartbeat answers and through its socket, each once; and the typed calls of the command API.
/// </summary>
public sealed class CommandClientTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>
{
    private SwitchboardClient Client => fixture.Client;

    [Fact]
    public async Task ALeasedHandleLearnsACommandFromItsHeartbeatAnswersAndObeysIt()
    {
        await using var agent = await Client.StartSessionAsync(new NewSession { Name = "obedient", State = SessionState.Working, LeaseSeconds = 3 });
        var issued = await Client.IssueCommandAsync(agent.Id, new NewCommand(CommandType.Pause, "hold on"));
        issued.State.ShouldBe(CommandState.Pending);

        // The agent's code: the first command is the pause; it pauses, says so, and answers.
        using var stop = new CancellationTokenSource();
        await using var commands = agent.Commands.GetAsyncEnumerator(stop.Token);
        (await commands.MoveNextAsync().AsTask().Within()).ShouldBeTrue();
        var command = commands.Current;
        command.Id.ShouldBe(issued.Id);
        command.Type.ShouldBe(CommandType.Pause);
        command.Text.ShouldBe("hold on");
        command.State.ShouldBe(CommandState.Delivered, "handed over in a heartbeat answer");
        agent.SetState(SessionState.Paused);
        await agent.FlushAsync();
        var acknowledged = await agent.AcknowledgeAsync(command, CommandOutcome.Done, "paused");
        acknowledged.State.ShouldBe(CommandState.Acknowledged);

        (await Client.GetSessionAsync(agent.Id))!.State.ShouldBe(SessionState.Paused);
        var log = await Client.GetEventsAsync(0, sessionId: agent.Id);
        log.Events.OfType<CommandEvent>().Select(e => e.Type).ShouldBe(["command_issued", "command_delivered", "command_acknowledged"]);

        // The handle hands each command over once (a repeat after the server's visibility timeout is dropped by id).
        var next = commands.MoveNextAsync().AsTask();
        await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(2)));
        next.IsCompleted.ShouldBeFalse("no command is handed over twice");
        await stop.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => next);
    }

    [Fact]
    public async Task AHandleOnTheSocketReceivesACommandTheMomentItIsIssuedWithNoHeartbeatAndObeysIt()
    {
        using var client = new SwitchboardClient(fixture.Server.BaseAddress, new SwitchboardClientOptions { ReceiveCommandsOverSocket = true });
        await using var agent = await client.StartSessionAsync(new NewSession { Name = "listening", State = SessionState.Working }); // no lease: no heartbeats
        var seen = new List<SessionCommand>();
        var obeyed = Task.Run(async () =>
        {
            await foreach (var command in agent.Commands)
            {
                seen.Add(command);
                if (command.Type == CommandType.Cancel)
                {
                    await agent.TerminateAsync("cancelled");
                    await agent.AcknowledgeAsync(command);
                    return;
                }

                await agent.AcknowledgeAsync(command, CommandOutcome.Done, command.Text);
            }
        });

        // The subscription's first snapshot may come after the first command: it reads what is outstanding then.
        var message = await client.IssueCommandAsync(agent.Id, new NewCommand(CommandType.Message, "hello"));
        await TestTimeouts.Eventually(async () => (await client.GetCommandAsync(agent.Id, message.Id))!.State == CommandState.Acknowledged, "the message answered");
        await client.IssueCommandAsync(agent.Id, new NewCommand(CommandType.Cancel, ExpiresIn: TimeSpan.FromMinutes(1)));
        await obeyed.Within();

        seen.Select(c => (c.Type, c.State)).ShouldBe([(CommandType.Message, CommandState.Pending), (CommandType.Cancel, CommandState.Pending)],
            "from the topic: issued, not yet handed over by any write answer");
        var session = (await client.GetSessionAsync(agent.Id))!;
        session.State.ShouldBe(SessionState.Terminated);
        var log = await client.GetEventsAsync(0, sessionId: agent.Id);
        log.Events.OfType<SessionTerminatedEvent>().Single().Reason.ShouldBe("cancelled");
        (await client.ListCommandsAsync(agent.Id)).Commands.ShouldAllBe(c => c.State == CommandState.Acknowledged);
    }

    [Fact]
    public async Task TheTypedCallsIssueListPollReadAcknowledgeAndWithdraw()
    {
        var id = ClientServerFixture.NewId("calls");
        await Client.CreateSessionAsync(new NewSession { Id = id, LeaseSeconds = 60 });
        var data = JsonSerializer.SerializeToElement(new { ticket = 7 });
        var first = await Client.IssueCommandAsync(id, new NewCommand(CommandType.Message, "read this", data, TimeSpan.FromMinutes(2)));
        first.Data!.Value.GetProperty("ticket").GetInt32().ShouldBe(7);
        (first.ExpiresAt - first.IssuedAt).ShouldBe(TimeSpan.FromMinutes(2));
        first.IssuedBy.ShouldBe("anonymous");

        var polled = await Client.PollCommandsAsync(id, TimeSpan.FromSeconds(5));
        polled.Commands.Single().State.ShouldBe(CommandState.Delivered);
        polled.Commands.Single().Attempt.ShouldBe(1);
        (await Client.HeartbeatAsync(id)).Commands.ShouldBeEmpty("handed over once, by the poll, until its visibility timeout");
        var resume = await Client.IssueCommandAsync(id, new NewCommand(CommandType.Resume));
        var batch = await Client.BatchAsync([BatchOperation.Heartbeat(id)]);
        batch[0].Commands.Single().Id.ShouldBe(resume.Id);

        var second = await Client.IssueCommandAsync(id, new NewCommand(CommandType.Pause));
        (await Client.WithdrawCommandAsync(id, second.Id)).State.ShouldBe(CommandState.Withdrawn);
        (await Client.AcknowledgeCommandAsync(id, first.Id, CommandOutcome.Rejected, "not now")).Outcome.ShouldBe(CommandOutcome.Rejected);
        (await Client.AcknowledgeCommandAsync(id, first.Id, CommandOutcome.Rejected, "not now")).State.ShouldBe(CommandState.Acknowledged, "the same answer again");
        var conflict = await Should.ThrowAsync<SwitchboardApiException>(() => Client.AcknowledgeCommandAsync(id, first.Id, CommandOutcome.Done));
        conflict.StatusCode.ShouldBe(409);
        (await Client.GetCommandAsync(id, "cmd_none")).ShouldBeNull();
        (await Client.ListCommandsAsync(id, [CommandState.Withdrawn])).Commands.Single().Id.ShouldBe(second.Id);
        (await Client.ListCommandsAsync(id)).Commands.Select(c => c.Id).ShouldBe([first.Id, resume.Id, second.Id]);
        var refused = await Should.ThrowAsync<SwitchboardApiException>(() => Client.IssueCommandAsync("nobody", new NewCommand(CommandType.Cancel)));
        refused.StatusCode.ShouldBe(404);
    }
}

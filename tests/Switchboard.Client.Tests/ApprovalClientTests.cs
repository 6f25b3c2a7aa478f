using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>Approvals in the .NET SDK against a real server: a handle asks and waits, an operator's client answers.</summary>
public sealed class ApprovalClientTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>
{
    private SwitchboardClient Client => fixture.Client;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AHandleAsksAPersonAndGetsTheAnswerAnOperatorGivesOnAnotherClient(bool allow)
    {
        await using var agent = await Client.StartSessionAsync(new NewSession { Name = "careful", State = SessionState.Working });
        using var operatorClient = new SwitchboardClient(fixture.Server.BaseAddress);

        var asking = agent.RequestApprovalAsync("Drop table users_old", tool: "sql", wait: TimeSpan.FromSeconds(30));
        Approval? pending = null;
        await TestTimeouts.Eventually(async () =>
            (pending = (await operatorClient.ListApprovalsAsync(agent.Id, [ApprovalState.Pending])).FirstOrDefault()) is not null, "the approval to be pending");
        (await operatorClient.GetSessionAsync(agent.Id))!.State.ShouldBe(SessionState.Waiting);
        pending!.Summary.ShouldBe("Drop table users_old");
        pending.Tool.ShouldBe("sql");

        var answered = await operatorClient.AnswerApprovalAsync(agent.Id, pending.Id, allow, "reviewed");
        answered.State.ShouldBe(allow ? ApprovalState.Allowed : ApprovalState.Denied);

        var result = await asking.Within();
        result.Id.ShouldBe(pending.Id);
        result.IsAllowed.ShouldBe(allow);
        result.Note.ShouldBe("reviewed");
        (await operatorClient.GetSessionAsync(agent.Id))!.State.ShouldBe(SessionState.Working);
        var again = await Should.ThrowAsync<SwitchboardApiException>(() => operatorClient.AnswerApprovalAsync(agent.Id, pending.Id, !allow));
        again.Code.ShouldBe("approval_not_pending");
    }
}

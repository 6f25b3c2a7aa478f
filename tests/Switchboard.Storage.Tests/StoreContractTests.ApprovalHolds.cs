using Switchboard.Core.Approvals;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Tests;

/// <summary>
/// What ends a held approval besides an answer, on every store (docs/approvals.md, "Held, and by whom"): a session that
/// ends withdraws its pending approvals in the same commit, and the approvals a gone node held are found to withdraw.
/// </summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task ASessionThatEndsWithdrawsItsPendingApprovalsInTheSameCommit()
    {
        var store = await OpenAsync();
        await store.WriteAsync([new CreateSession { Id = "s1", State = SessionState.Working }, new CreateSession { Id = "s2" }], CancellationToken.None);
        var first = Ask("s1", "one");
        var second = Ask("s1", "two");
        var other = Ask("s2", "elsewhere");
        await store.WriteAsync([first, second, other], CancellationToken.None);

        var ended = await WriteOne(store, new TerminateSession("s1"));

        ended.Session!.State.ShouldBe(SessionState.Terminated);
        var approvals = (IRequestStore<Approval, ApprovalState>)store;
        var listed = await approvals.ListAsync("s1", null, 10, CancellationToken.None);
        listed.Select(a => (a.Id, a.State, a.Reason)).ShouldBe(
            [(first.Id, ApprovalState.Withdrawn, ApprovalEndReasons.SessionEnded), (second.Id, ApprovalState.Withdrawn, ApprovalEndReasons.SessionEnded)]);
        (await approvals.GetAsync(other.Id, CancellationToken.None))!.State.ShouldBe(ApprovalState.Pending, "another session's is not touched");
        var types = (await store.ReadEventsAsync(new EventQuery { AfterSeq = ended.Event!.Seq - 1, SessionId = "s1" }, CancellationToken.None))
            .Select(e => e.Type).ToList();
        types.ShouldBe([EventTypes.SessionTerminated, EventTypes.ApprovalWithdrawn, EventTypes.ApprovalWithdrawn]);
        (await WriteOne(store, new AnswerApproval("s1", first.Id, Allow: true, null, "key-1"))).Error!.Code.ShouldBe("approval_not_held");
    }

    [Fact]
    public async Task AHookEndThatWaitsOutItsGraceWithdrawsThePendingApprovalsAtOnce()
    {
        var store = await OpenAsync();
        await WriteOne(store, new ApplyHook("h1") { Signal = HookSignal.Working });
        var asked = Ask("h1", "deploy") with { ResumeState = SessionState.Working, HeldBy = "node-a" };
        await WriteOne(store, asked);

        var end = await WriteOne(store, new ApplyHook("h1") { Signal = HookSignal.End, EndsLater = true });

        end.Session!.State.ShouldNotBe(SessionState.Terminated, "the end itself waits for its grace");
        var approval = await ((IRequestStore<Approval, ApprovalState>)store).GetAsync(asked.Id, CancellationToken.None);
        approval!.State.ShouldBe(ApprovalState.Withdrawn);
        approval.Reason.ShouldBe(ApprovalEndReasons.SessionEnded);
        approval.HeldBy.ShouldBe("node-a", "the holder stays on the record");
    }

    [Fact]
    public async Task PrimitiveFindUnheldApprovalsFindsOnlyThoseHeldByANodeThatIsNotAlive()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "s1" });
        var gone = Ask("s1", "held by a dead node") with { HeldBy = "dead-node" };
        var mine = Ask("s1", "held here") with { HeldBy = "this-node" };
        var api = Ask("s1", "asked over the API");
        var ended = Ask("s1", "held by a dead node, answered") with { HeldBy = "dead-node" };
        await store.WriteAsync([gone, mine, api, ended], CancellationToken.None);
        await WriteOne(store, new AnswerApproval("s1", ended.Id, Allow: true, null, "key-1"));

        var found = await ((IRequestStore<Approval, ApprovalState>)store).FindUnheldAsync("this-node", 10, CancellationToken.None);

        found.ShouldBe([("s1", gone.Id, "dead-node")]);
    }

    [Fact]
    public async Task PrimitiveReadPendingApprovalsReadsTheRowsOfTheNamedSessionsInTheOrderAsked()
    {
        var store = await OpenAsync();
        await store.WriteAsync([new CreateSession { Id = "s1" }, new CreateSession { Id = "s2" }], CancellationToken.None);
        var first = Ask("s1", "one");
        var answered = Ask("s1", "two");
        var third = Ask("s1", "three");
        await store.WriteAsync([first, answered, third, Ask("s2", "other")], CancellationToken.None);
        await WriteOne(store, new AnswerApproval("s1", answered.Id, Allow: false, null, "key-1"));

        var read = await InTransaction(store, async tx => await tx.ReadPendingApprovalsAsync(["s1", "s9"]));

        read.Select(a => a.Id).ShouldBe([first.Id, third.Id]);
    }

    [Fact]
    public async Task AnApprovalAskedWithAnExactExpiryKeepsItsFraction()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "s1" });
        var asked = Ask("s1", "exact", seconds: 2) with { ExpiresAfter = TimeSpan.FromMilliseconds(1500) };

        var raised = await WriteOne(store, asked);

        var approval = await ((IRequestStore<Approval, ApprovalState>)store).GetAsync(asked.Id, CancellationToken.None);
        (approval!.ExpiresAt - approval.RequestedAt).ShouldBe(TimeSpan.FromMilliseconds(1500));
        raised.Approval!.ExpiresAt.ShouldBe(approval.ExpiresAt);
    }
}

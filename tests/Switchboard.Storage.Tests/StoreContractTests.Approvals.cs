using Switchboard.Approvals;
using Switchboard.Sessions;
using Switchboard.Writes;

namespace Switchboard.Storage.Tests;

/// <summary>
/// Approvals on every store (docs/approvals.md): their rows and events in one transaction, the session waiting while any
/// is pending, answered once, found by the expiry query once due, and read back after a reopen.
/// </summary>
public abstract partial class StoreContractTests
{
    private static RequestApproval Ask(string session, string summary, int seconds = 60) =>
        new(Approval.NewId(DateTimeOffset.UtcNow), session, "Bash", summary, null, seconds, "anonymous");

    [Fact]
    public async Task ApprovalsKeepTheSessionWaitingUntilTheLastIsAnsweredAndEachIsAnsweredOnce()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "s1", State = SessionState.Idle });
        var first = Ask("s1", "rm -rf build");
        var second = Ask("s1", "git push --force", seconds: 5);
        var raised = await store.WriteAsync([first, second], CancellationToken.None);
        raised[0].Approval.ShouldNotBeNull().State.ShouldBe(ApprovalState.Pending);
        raised[0].Session.ShouldNotBeNull().State.ShouldBe(SessionState.Waiting);
        raised[1].Approval!.ResumeState.ShouldBe(SessionState.Idle, "the state before the first, not waiting");

        var allowed = await WriteOne(store, new AnswerApproval("s1", first.Id, Allow: true, "ok", "key-1"));
        allowed.Approval.ShouldNotBeNull().State.ShouldBe(ApprovalState.Allowed);
        allowed.Session!.State.ShouldBe(SessionState.Waiting, "another approval is still pending");
        var again = await WriteOne(store, new AnswerApproval("s1", first.Id, Allow: false, null, "key-1"));
        again.Error.ShouldNotBeNull().Code.ShouldBe("approval_not_pending");
        (await WriteOne(store, new AnswerApproval("s2", first.Id, Allow: true, null, "key-1"))).Error.ShouldNotBeNull().Code.ShouldBe("session_not_found");

        var approvals = (IApprovalStore)store;
        (await approvals.FindExpiredApprovalsAsync(Time.GetUtcNow().AddSeconds(6), 10, CancellationToken.None)).ShouldBe([("s1", second.Id)]);
        Time.Advance(TimeSpan.FromSeconds(6));
        var expired = await WriteOne(store, new EndApproval("s1", second.Id));
        expired.Approval!.State.ShouldBe(ApprovalState.Expired);
        expired.Session!.State.ShouldBe(SessionState.Idle, "its last pending approval ended");
        (await WriteOne(store, new EndApproval("s1", second.Id))).Event.ShouldBeNull("an expiry is written once");
        (await approvals.FindExpiredApprovalsAsync(Time.GetUtcNow(), 10, CancellationToken.None)).ShouldBeEmpty();

        await CloseAsync(store);
        var reopened = (IApprovalStore)await OpenAsync();
        var listed = await reopened.ListApprovalsAsync("s1", null, 10, CancellationToken.None);
        listed.Select(a => (a.Id, a.State)).ShouldBe([(first.Id, ApprovalState.Allowed), (second.Id, ApprovalState.Expired)]);
        listed[0].Note.ShouldBe("ok");
        listed[0].AnsweredBy.ShouldBe("key-1");
        (await reopened.ListApprovalsAsync("s1", [ApprovalState.Expired], 10, CancellationToken.None)).Single().Id.ShouldBe(second.Id);
        (await reopened.GetApprovalAsync(first.Id, CancellationToken.None)).ShouldNotBeNull().Summary.ShouldBe("rm -rf build");
    }

    [Fact]
    public async Task PrimitiveApprovalReadsFindTheNamedOnesAndThePendingOnesOfASession()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "s1" });
        var answered = Ask("s1", "one");
        var pending = Ask("s1", "two");
        await store.WriteAsync([answered, pending], CancellationToken.None);
        await WriteOne(store, new AnswerApproval("s1", answered.Id, Allow: false, null, "anonymous"));

        var bySession = await InTransaction(store, async tx => await tx.ReadApprovalsAsync(new ApprovalTargets([], ["s1"])));
        bySession.Select(a => a.Id).ShouldBe([pending.Id], "only the pending ones of the session");
        var named = await InTransaction(store, async tx => await tx.ReadApprovalsAsync(new ApprovalTargets([answered.Id], [])));
        named.Single().State.ShouldBe(ApprovalState.Denied);
    }

    [Fact]
    public async Task TheLoadedStateHoldsThePendingApprovalsInTheOrderAsked()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "s1" });
        await WriteOne(store, new CreateSession { Id = "s2" });
        var first = Ask("s2", "first");
        var answered = Ask("s1", "answered");
        var last = Ask("s1", "last");
        await store.WriteAsync([first, answered, last], CancellationToken.None);
        await WriteOne(store, new AnswerApproval("s1", answered.Id, Allow: true, null, "anonymous"));

        var state = await store.LoadStateAsync(CancellationToken.None);
        state.PendingApprovals.Select(a => a.Id).ShouldBe([first.Id, last.Id]);
        state.PendingApprovals.Select(a => a.RequestedSeq).ShouldBeInOrder(SortDirection.Ascending);
        state.PendingApprovals[0].Summary.ShouldBe("first");
    }

    [Fact]
    public async Task PrimitiveApprovalWritesTakeMoreRowsThanOneStatementHolds()
    {
        var store = await OpenAsync();
        var sessions = Enumerable.Range(0, 501).Select(i => $"s{i}").ToArray();
        await store.WriteAsync([.. sessions.Select(id => (SessionWrite)new CreateSession { Id = id })], CancellationToken.None);
        var results = await store.WriteAsync([.. sessions.Select(id => (SessionWrite)Ask(id, "ls"))], CancellationToken.None);
        results.ShouldAllBe(r => r.Error == null);

        var pending = await InTransaction(store, async tx => await tx.ReadApprovalsAsync(new ApprovalTargets([], sessions)));
        pending.Select(a => a.SessionId).Order(StringComparer.Ordinal).ShouldBe(sessions.Order(StringComparer.Ordinal), "one row per approval, past 500 in a batch");
    }
}

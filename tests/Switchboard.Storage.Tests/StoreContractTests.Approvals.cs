using Switchboard.Core.Approvals;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

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

        var approvals = (IRequestStore<Approval, ApprovalState>)store;
        (await approvals.FindExpiredAsync(Time.GetUtcNow().AddSeconds(6), 10, CancellationToken.None)).ShouldBe([("s1", second.Id)]);
        Time.Advance(TimeSpan.FromSeconds(6));
        var expired = await WriteOne(store, new EndApproval("s1", second.Id));
        expired.Approval!.State.ShouldBe(ApprovalState.Expired);
        expired.Session!.State.ShouldBe(SessionState.Idle, "its last pending approval ended");
        (await WriteOne(store, new EndApproval("s1", second.Id))).Event.ShouldBeNull("an expiry is written once");
        (await approvals.FindExpiredAsync(Time.GetUtcNow(), 10, CancellationToken.None)).ShouldBeEmpty();

        await CloseAsync(store);
        var reopened = (IRequestStore<Approval, ApprovalState>)await OpenAsync();
        var listed = await reopened.ListAsync("s1", null, 10, CancellationToken.None);
        listed.Select(a => (a.Id, a.State)).ShouldBe([(first.Id, ApprovalState.Allowed), (second.Id, ApprovalState.Expired)]);
        listed[0].Note.ShouldBe("ok");
        listed[0].AnsweredBy.ShouldBe("key-1");
        (await reopened.ListAsync("s1", [ApprovalState.Expired], 10, CancellationToken.None)).Single().Id.ShouldBe(second.Id);
        (await reopened.GetAsync(first.Id, CancellationToken.None)).ShouldNotBeNull().Summary.ShouldBe("rm -rf build");
    }

    [Fact]
    public async Task PrimitiveApprovalReadsFindTheNamedOnesAndCountThePendingOnesOfASession()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "s1" });
        var answered = Ask("s1", "one");
        var pending = Ask("s1", "two");
        await store.WriteAsync([answered, pending], CancellationToken.None);
        await WriteOne(store, new AnswerApproval("s1", answered.Id, Allow: false, null, "anonymous"));

        var bySession = await InTransaction(store, async tx => await tx.ReadApprovalsAsync(new RequestTargets([], ["s1", "s2"])));
        bySession.Targeted.ShouldBeEmpty("a session's pending approvals are counted, not read");
        bySession.Pending.ShouldBe(new Dictionary<string, PendingApprovals> { ["s1"] = new(1, SessionState.Working) }, "a session with none is absent");
        var named = await InTransaction(store, async tx => await tx.ReadApprovalsAsync(new RequestTargets([answered.Id], [])));
        named.Targeted.Single().State.ShouldBe(ApprovalState.Denied);
        named.Pending.ShouldBeEmpty();
    }

    [Fact]
    public async Task AnAnswerReadsOnlyItsApprovalAndHowManyOfTheSessionArePending()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "s1", State = SessionState.Idle });
        var data = "{\"blob\":\"" + new string('x', 16 * 1024 - 20) + "\"}";
        var asked = Enumerable.Range(0, 5).Select(i => Ask("s1", $"step {i}") with { Data = data }).ToList();
        foreach (var ask in asked)
        {
            (await WriteOne(store, ask)).Error.ShouldBeNull();
        }

        var read = await InTransaction(store, async tx => await tx.ReadApprovalsAsync(WriteBatch.ApprovalTargets([new AnswerApproval("s1", asked[3].Id, true, null, "k")])));
        read.Targeted.Select(a => a.Id).ShouldBe([asked[3].Id], "the answer's own approval, not the other four that wait");
        read.Pending["s1"].ShouldBe(new PendingApprovals(5, SessionState.Idle), "a count, and where the oldest sends the session back");

        // Each ask in its own commit: the later ones found the first pending through that count and kept its resume state.
        foreach (var ask in asked)
        {
            (await WriteOne(store, new AnswerApproval("s1", ask.Id, Allow: true, null, "k"))).Approval!.ResumeState.ShouldBe(SessionState.Idle);
        }

        (await store.GetSessionAsync("s1", CancellationToken.None))!.State.ShouldBe(SessionState.Idle, "back once the last ended");
    }

    [Fact]
    public async Task PastMaxPendingAnAskIsRefusedAndWritesNothingUntilOneEnds()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "s1" });
        var first = Ask("s1", "one") with { MaxPending = 2 };
        var results = await store.WriteAsync([first, Ask("s1", "two") with { MaxPending = 2 }, Ask("s1", "three") with { MaxPending = 2 }], CancellationToken.None);
        results[0].Error.ShouldBeNull();
        results[1].Error.ShouldBeNull();
        results[2].Error.ShouldNotBeNull().Code.ShouldBe("too_many_approvals", "the cap counts the ones asked earlier in the same commit");
        results[2].Error!.Detail.ShouldContain("Switchboard:Approvals:MaxPendingPerSession = 2");

        var head = (await store.LoadStateAsync(CancellationToken.None)).HeadSeq;
        (await WriteOne(store, Ask("s1", "four") with { MaxPending = 2 })).Error!.Code.ShouldBe("too_many_approvals", "and the ones of earlier commits");
        (await store.LoadStateAsync(CancellationToken.None)).HeadSeq.ShouldBe(head, "a refused ask writes nothing");
        (await ((IRequestStore<Approval, ApprovalState>)store).ListAsync("s1", null, 10, CancellationToken.None)).Count.ShouldBe(2);

        await WriteOne(store, new EndApproval("s1", first.Id) { Withdraw = true });
        (await WriteOne(store, Ask("s1", "five") with { MaxPending = 2 })).Error.ShouldBeNull("only pending ones count");
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

        var pending = await InTransaction(store, async tx => await tx.ReadApprovalsAsync(new RequestTargets([], sessions)));
        pending.Pending.Keys.Order(StringComparer.Ordinal).ShouldBe(sessions.Order(StringComparer.Ordinal), "one row per approval, past 500 in a batch");
        pending.Pending.Values.ShouldAllBe(p => p.Count == 1);
    }
}

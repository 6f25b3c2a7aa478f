using Switchboard.Core.Approvals;
using Switchboard.Core.Errors;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Tests;

/// <summary>
/// Issue 56 on every store: an approval remembers the key that asked (in its stored JSON), and that key's answer is
/// refused in the write transaction, changing nothing, unless the write allows it (<c>Approvals:AllowSelfAnswer</c>).
/// </summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task TheKeyThatAskedCannotAnswerUnlessAllowedAndTheAskerIsKeptWithTheApproval()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "s1", State = SessionState.Working });
        var asked = Ask("s1", "rm -rf build") with { RequestedKey = "@agents" };
        var other = Ask("s1", "git push") with { RequestedKey = "@agents" };
        await store.WriteAsync([asked, other], CancellationToken.None);

        var self = await WriteOne(store, new AnswerApproval("s1", asked.Id, Allow: true, null, "@agents") { AnsweredByKey = "@agents" });
        var refused = self.Error.ShouldNotBeNull();
        refused.Code.ShouldBe("self_answer");
        refused.Kind.ShouldBe(ErrorKind.Forbidden);
        refused.Detail.ShouldContain("Switchboard:Approvals:AllowSelfAnswer");
        self.Event.ShouldBeNull("a refused answer writes nothing");
        var approvals = (IRequestStore<Approval, ApprovalState>)store;
        (await approvals.GetAsync(asked.Id, CancellationToken.None)).ShouldNotBeNull().State.ShouldBe(ApprovalState.Pending);

        var byOperator = await WriteOne(store, new AnswerApproval("s1", asked.Id, Allow: false, "no", "alice via @ops") { AnsweredByKey = "@ops" });
        var denied = byOperator.Approval.ShouldNotBeNull();
        denied.State.ShouldBe(ApprovalState.Denied);
        denied.AnsweredBy.ShouldBe("alice via @ops");
        var allowed = await WriteOne(store, new AnswerApproval("s1", other.Id, Allow: true, null, "@agents") { AnsweredByKey = "@agents", AllowSelfAnswer = true });
        allowed.Approval.ShouldNotBeNull().State.ShouldBe(ApprovalState.Allowed);

        await CloseAsync(store);
        var reopened = (IRequestStore<Approval, ApprovalState>)await OpenAsync();
        var read = (await reopened.GetAsync(asked.Id, CancellationToken.None)).ShouldNotBeNull();
        read.RequestedKey.ShouldBe("@agents", "the asker is kept in the approval's stored JSON");
        read.AnsweredBy.ShouldBe("alice via @ops");
    }
}

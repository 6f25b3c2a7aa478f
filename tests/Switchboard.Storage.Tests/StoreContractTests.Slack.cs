using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Tests;

/// <summary>
/// Each approval's Slack message on every store (docs/slack.md, "Several nodes"): one node's claim to post it, then one
/// node's claim to update it, each taken over only from a node the store does not know alive, and what a gone node left
/// undone is found. None of the nodes named here is alive to the store, so any claim but the asker's own can be taken over.
/// </summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task ASlackMessageIsPostedByOneClaimAndUpdatedByOneAndAGoneClaimersWorkIsTakenOver()
    {
        var store = await OpenAsync();
        var slack = (ISlackStore)store;
        var ct = CancellationToken.None;
        await WriteOne(store, new CreateSession { Id = "s1", State = SessionState.Working });
        var asked = Ask("s1", "git push");
        var never = Ask("s1", "never posted");
        await store.WriteAsync([asked, never], ct);

        (await slack.ClaimSlackPostAsync(asked.Id, "node-a", ct)).ShouldBeTrue("the first claim takes");
        (await slack.ClaimSlackPostAsync(asked.Id, "node-a", ct)).ShouldBeFalse("its own claim is not taken twice");
        (await slack.FindSlackLeftoversAsync("node-a", 10, ct)).ShouldBeEmpty("a node's own claim is never its leftover");
        (await slack.FindSlackLeftoversAsync("node-b", 10, ct)).ShouldBe([("s1", asked.Id)], "node-a is gone and never posted");

        (await slack.ClaimSlackPostAsync(asked.Id, "node-b", ct)).ShouldBeTrue("a gone node's unposted claim is taken over");
        await slack.SaveSlackPostAsync(asked.Id, "node-a", "C0LATE", "1.000001", ct); // too late: no longer node-a's
        (await slack.ClaimSlackUpdateAsync(asked.Id, "node-b", ct)).ShouldBeNull("not posted yet");
        await slack.SaveSlackPostAsync(asked.Id, "node-b", "C0CHAN", "1.000002", ct);
        (await slack.ClaimSlackPostAsync(asked.Id, "node-c", ct)).ShouldBeFalse("posted: nobody posts it again");
        (await slack.FindSlackLeftoversAsync("node-c", 10, ct)).ShouldBeEmpty("pending and posted: nothing left to do");

        await WriteOne(store, new AnswerApproval("s1", asked.Id, Allow: true, null, "key-1"));
        (await slack.FindSlackLeftoversAsync("node-b", 10, ct)).ShouldBeEmpty("its poster updates it in the normal course");
        (await slack.FindSlackLeftoversAsync("node-c", 10, ct)).ShouldBe([("s1", asked.Id)], "ended, and its poster is gone");
        (await slack.ClaimSlackUpdateAsync(asked.Id, "node-b", ct)).ShouldBe(("C0CHAN", "1.000002"));
        (await slack.ClaimSlackUpdateAsync(asked.Id, "node-b", ct)).ShouldBeNull("its own claim is not taken twice");
        (await slack.ClaimSlackUpdateAsync(asked.Id, "node-c", ct)).ShouldBe(("C0CHAN", "1.000002"), "node-b is gone before it updated");
        await slack.SaveSlackUpdateAsync(asked.Id, "node-c", DateTimeOffset.UtcNow, ct);
        (await slack.ClaimSlackUpdateAsync(asked.Id, "node-d", ct)).ShouldBeNull("updated: nobody updates it again");
        (await slack.FindSlackLeftoversAsync("node-d", 10, ct)).ShouldBeEmpty();
        (await slack.ClaimSlackUpdateAsync(never.Id, "node-a", ct)).ShouldBeNull("never claimed, never posted");
    }
}

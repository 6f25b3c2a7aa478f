using System.Text.Json;
using Switchboard.FunctionalTests.Commands;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Security;
using Switchboard.Server.Hosting;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Approvals;

/// <summary>
/// Approvals over the API (docs/approvals.md): a producer asks and long-polls, an operator answers on another connection,
/// the session is waiting in between, every step is on the log, an approval is answered once, read keys cannot answer, and
/// the store's expiry job ends one nobody answers.
/// </summary>
public sealed class ApprovalApiTests
{
    [Fact]
    public async Task AnApprovalAskedWithALongPollIsReleasedByAnAnswerOnAnotherConnectionAndIsOnTheLog()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var producer = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        using var operatorHttp = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Default };
        await producer.CreateAsync("deploy", new { state = "working" });

        var asking = producer.PostAsync("/api/sessions/deploy/approvals?wait=20",
            new { summary = "Deploy build 42 to production", tool = "deploy", data = new { build = 42 } });
        var pending = await ApprovalKit.WaitForPendingAsync(operatorHttp, "deploy");
        (await ApprovalKit.SessionAsync(operatorHttp, "deploy")).Str("state").ShouldBe("waiting");
        asking.IsCompleted.ShouldBeFalse("the request is held until someone answers");

        var answered = await operatorHttp.PostAsync($"/api/sessions/deploy/approvals/{pending.Str("id")}", new { decision = "allow", note = "go" });
        answered.Status.ShouldBe(200, answered.Body.ToString());
        answered.Body.Str("state").ShouldBe("allowed");
        answered.Body.Str("answered_by").ShouldBe("anonymous");

        var released = (await asking.Within()).Body;
        released.Str("id").ShouldBe(pending.Str("id"));
        released.Str("state").ShouldBe("allowed");
        released.Str("note").ShouldBe("go");
        released.Str("summary").ShouldBe("Deploy build 42 to production");
        released.GetProperty("data").GetProperty("build").GetInt32().ShouldBe(42);
        (await ApprovalKit.SessionAsync(operatorHttp, "deploy")).Str("state").ShouldBe("working", "back to the state it was asked in");

        var events = (await operatorHttp.EventsAsync(sessionId: "deploy")).Select(e => e.Str("type")).ToList();
        events.ShouldBe(["session_created", "approval_requested", "session_updated", "approval_answered", "session_updated"]);

        // Answered once: the same answer again is 200 and changes nothing, a different one is 409.
        var head = await operatorHttp.HeadAsync();
        (await operatorHttp.PostAsync($"/api/sessions/deploy/approvals/{pending.Str("id")}", new { decision = "allow", note = "go" })).Status.ShouldBe(200);
        var twice = await operatorHttp.PostAsync($"/api/sessions/deploy/approvals/{pending.Str("id")}", new { decision = "deny" });
        twice.ShouldBeProblem(409);
        twice.Body.Str("code").ShouldBe("approval_not_pending");
        (await operatorHttp.HeadAsync()).ShouldBe(head);

        var list = (await operatorHttp.GetJsonAsync("/api/sessions/deploy/approvals?state=allowed")).Body;
        list.GetProperty("approvals").GetArrayLength().ShouldBe(1);
        list.Long("as_of_seq").ShouldBeGreaterThanOrEqualTo(head);
    }

    [Fact]
    public async Task BadRequestsAreRefusedWithAProblemAndWriteNothing()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var http = server.Http;
        await http.CreateAsync("asker");
        var head = await http.HeadAsync();
        (await http.PostAsync("/api/sessions/asker/approvals", new { tool = "x" })).Body.Str("field").ShouldBe("summary");
        (await http.PostAsync("/api/sessions/asker/approvals", new { summary = new string('s', 501) })).ShouldBeProblem(400);
        (await http.PostAsync("/api/sessions/asker/approvals", new { summary = "ok", surprise = 1 })).ShouldBeProblem(400);
        (await http.PostAsync("/api/sessions/nobody/approvals", new { summary = "ok" })).ShouldBeProblem(404);
        var id = (await http.PostAsync("/api/sessions/asker/approvals", new { summary = "ok" })).Body.Str("id");
        head = await http.HeadAsync();
        (await http.PostAsync($"/api/sessions/asker/approvals/{id}", new { decision = "maybe" })).Body.Str("field").ShouldBe("decision");
        (await http.PostAsync("/api/sessions/asker/approvals/apr_none", new { decision = "allow" })).ShouldBeProblem(404);
        (await http.HeadAsync()).ShouldBe(head);
    }

    [Fact]
    public async Task AReadKeyAndASubscriberTokenGet403WhileTheWriteKeyAnswers()
    {
        // The agent's key asks: the key that asked may not answer (ApprovalRoleTests).
        const string agentKey = "agent-key-0123456789abcdef";
        await using var secured = await Secured.StartAsync(o => o.Security.AddApiKeys(agentKey + ":agent"));
        using var agent = secured.Server.HttpWithKey(agentKey);
        await agent.CreateAsync("guarded", new { state = "working" });
        var id = (await agent.PostAsync("/api/sessions/guarded/approvals", new { summary = "rm -rf build/" })).Body.Str("id");
        var token = await secured.MintAsync(["session:guarded"]);
        using var withToken = secured.Server.HttpWithKey(token);
        var head = await secured.Writer.HeadAsync();
        foreach (var client in new[] { secured.Reader, withToken })
        {
            var refused = await client.PostAsync($"/api/sessions/guarded/approvals/{id}", new { decision = "allow" });
            refused.ShouldBeProblem(403);
            refused.Body.Str("code").ShouldBe("insufficient_scope");
            (await client.PostAsync("/api/sessions/guarded/approvals", new { summary = "more" })).ShouldBeProblem(403);
        }

        (await secured.Writer.HeadAsync()).ShouldBe(head);
        (await secured.Reader.GetJsonAsync("/api/sessions/guarded/approvals")).Status.ShouldBe(200, "a read key reads");
        var answered = await secured.Writer.PostAsync($"/api/sessions/guarded/approvals/{id}", new { decision = "deny", note = "not today" });
        answered.Body.Str("state").ShouldBe("denied");
        answered.Body.Str("answered_by").ShouldStartWith("key-");
    }

    [Fact]
    public async Task TheStoresExpiryJobEndsAnUnansweredApprovalOnTheClockAndItCanNoLongerBeAnswered()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(time: time);
        var http = server.Http;
        await http.CreateAsync("slow", new { state = "idle" });
        var id = (await http.PostAsync("/api/sessions/slow/approvals", new { summary = "Send the newsletter", expires_in_seconds = 5 })).Body.Str("id");
        (await ApprovalKit.SessionAsync(http, "slow")).Str("state").ShouldBe("waiting");

        time.Advance(TimeSpan.FromSeconds(4));
        (await server.Get<RequestExpiry>().CheckAsync()).ShouldBe(0, "nothing is due yet");
        time.Advance(TimeSpan.FromSeconds(2));
        await TestTimeouts.Eventually(async () => (await http.GetJsonAsync($"/api/sessions/slow/approvals/{id}")).Body.Str("state") == "expired", "the approval to expire");
        (await server.Get<RequestExpiry>().CheckAsync()).ShouldBe(0, "an expiry is written once");
        (await ApprovalKit.SessionAsync(http, "slow")).Str("state").ShouldBe("idle", "back to the state it was asked in");
        (await http.EventsAsync(sessionId: "slow")).Count(e => e.Str("type") == "approval_expired").ShouldBe(1);
        var late = await http.PostAsync($"/api/sessions/slow/approvals/{id}", new { decision = "allow" });
        late.ShouldBeProblem(409);
        late.Body.Str("code").ShouldBe("approval_not_pending");
    }
}

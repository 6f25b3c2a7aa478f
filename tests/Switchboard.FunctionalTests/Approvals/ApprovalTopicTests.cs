using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Approvals;

/// <summary>
/// The fleet-wide <c>approvals</c> topic's join snapshot (docs/approvals.md): every approval pending at the reply's seq, in
/// the order asked, over Phoenix channels and SSE, kept across a restart; and a resume from that seq gets exactly the
/// approval events after it.
/// </summary>
public sealed class ApprovalTopicTests
{
    [Fact]
    public async Task TheSnapshotIsWhatIsPendingInTheOrderAskedAndAResumeGetsWhatCameAfter()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("a", new { state = "working" });
        await server.Http.CreateAsync("b", new { state = "working" });
        var answered = await AskAsync(server.Http, "a", "Delete the cache");
        var first = await AskAsync(server.Http, "b", "Deploy build 7");
        var second = await AskAsync(server.Http, "a", "Run the migration");
        (await server.Http.PostAsync($"/api/sessions/a/approvals/{answered}", new { decision = "deny" })).Status.ShouldBe(200);

        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var joined = await client.JoinAsync("approvals");
        joined.Status.ShouldBe("ok", joined.Raw);
        var snapshot = joined.Response.GetProperty("approvals").EnumerateArray().ToList();
        snapshot.Select(a => a.Str("id")).ShouldBe([first, second]);
        snapshot[0].Str("summary").ShouldBe("Deploy build 7");
        snapshot[0].Str("session_id").ShouldBe("b");
        snapshot.ShouldAllBe(a => a.Str("state") == "pending");
        joined.Response.GetProperty("approvals_complete").GetBoolean().ShouldBeTrue();

        // Live after the snapshot: a new one, then the first answered.
        var third = await AskAsync(server.Http, "b", "Push to main");
        (await client.WaitForAsync(f => f.Topic == "approvals" && f.Event == "approval_requested")).Payload
            .GetProperty("data").GetProperty("approval").Str("id").ShouldBe(third);
        (await server.Http.PostAsync($"/api/sessions/b/approvals/{first}", new { decision = "allow" })).Status.ShouldBe(200);
        await client.WaitForAsync(f => f.Topic == "approvals" && f.Event == "approval_answered");

        await using var late = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await late.JoinAsync("approvals")).Response.GetProperty("approvals").EnumerateArray().Select(a => a.Str("id"))
            .ShouldBe([second, third]);

        await using var resumer = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var resumed = await resumer.JoinAsync("approvals", new { since = joined.Response.Long("seq"), epoch = joined.Response.Str("epoch") });
        resumed.Response.GetProperty("resumed").GetBoolean().ShouldBeTrue(resumed.Raw);
        resumed.Response.Long("replayed").ShouldBe(2);
        resumed.Response.TryGetProperty("approvals", out _).ShouldBeFalse("a resume replays events, it gets no snapshot");
    }

    [Fact]
    public async Task ThePendingApprovalsSurviveARestartInTheSnapshotAndSseCarriesIt()
    {
        using var data = new TempDirectory();
        string id;
        await using (var first = await SwitchboardServer.StartAsync(dataDirectory: data.Path))
        {
            await first.Http.CreateAsync("s", new { state = "working" });
            id = await AskAsync(first.Http, "s", "Deploy build 42");
        }

        await using var second = await SwitchboardServer.StartAsync(dataDirectory: data.Path);
        await using var client = await PhoenixClient.ConnectAsync(second.WebSocketUri);
        var snapshot = (await client.JoinAsync("approvals")).Response.GetProperty("approvals").EnumerateArray().ToList();
        snapshot.Select(a => a.Str("id")).ShouldBe([id]);
        snapshot[0].Str("state").ShouldBe("pending");

        await using var sse = await SseReader.OpenAsync(second.Http, "/api/stream?topics=approvals");
        var joined = await sse.NextEventAsync(e => e.Event == "joined");
        using var doc = JsonDocument.Parse(joined.Data!);
        doc.RootElement.GetProperty("approvals").EnumerateArray().Select(a => a.Str("id")).ShouldBe([id]);
    }

    [Fact]
    public async Task ASnapshotOfMorePendingApprovalsThanItsByteBoundHoldsTheOldestAndSaysItIsCut()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Sockets.MaxSnapshotBytes = 4096);
        await server.Http.CreateAsync("s", new { state = "working" });
        var asked = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            asked.Add(await AskAsync(server.Http, "s", $"{i:D2} " + new string('x', 490))); // about 800 bytes of JSON each
        }

        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var joined = (await client.JoinAsync("approvals")).Response;
        var ids = joined.GetProperty("approvals").EnumerateArray().Select(a => a.Str("id")).ToList();
        ids.Count.ShouldBeInRange(1, 5, "the reply stays within 4 KiB of approvals");
        ids.ShouldBe(asked.Take(ids.Count), "the oldest first");
        joined.GetProperty("approvals_complete").GetBoolean().ShouldBeFalse("the rest is read per session (GET …/approvals?state=pending)");
    }

    /// <summary>Asks without holding the request; returns the approval's id.</summary>
    private static async Task<string> AskAsync(HttpClient http, string session, string summary)
    {
        var r = await http.PostAsync($"/api/sessions/{session}/approvals", new { summary });
        r.Status.ShouldBe(201, r.Body.ToString());
        return r.Body.Str("id");
    }
}

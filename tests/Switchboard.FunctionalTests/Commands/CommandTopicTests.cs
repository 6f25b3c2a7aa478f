using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Security;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Commands;

/// <summary>
/// The live part: command events go to the fleet-wide <c>commands</c> topic and their session's topic, never to
/// <c>sessions</c>; a <c>commands</c> join's snapshot is the outstanding commands at its seq; it resumes by seq; and a
/// command changes no session, count or total.
/// </summary>
public sealed class CommandTopicTests
{
    [Fact]
    public async Task CommandEventsReachCommandsAndTheSessionTopicButNotSessionsAndTheSnapshotIsWhatIsOutstanding()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("old", new { state = "working" });
        var acknowledged = (await server.Http.IssueAsync("old", new { type = "message", text = "done already" })).Str("id");
        (await server.Http.PostAsync($"/api/sessions/old/commands/{acknowledged}/ack", new { outcome = "done" })).Status.ShouldBe(200);
        var outstanding = (await server.Http.IssueAsync("old", new { type = "pause" })).Str("id");
        var summaryBefore = (await server.Http.GetJsonAsync("/api/summary")).Body;

        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var commands = await client.JoinAsync("commands");
        commands.Status.ShouldBe("ok", commands.Raw);
        commands.Response.GetProperty("commands").EnumerateArray().Select(c => c.Str("id")).ShouldBe([outstanding]);
        var since = commands.Response.Long("seq");
        (await client.JoinAsync("session:a")).Status.ShouldBe("ok");
        (await client.JoinAsync("sessions")).Status.ShouldBe("ok");

        await server.Http.CreateAsync("a", new { state = "working", labels = new { team = "core" } });
        var id = (await server.Http.IssueAsync("a", new { type = "cancel" })).Str("id");
        (await server.Http.PostAsync($"/api/sessions/a/commands/{id}/ack", new { outcome = "done" })).Status.ShouldBe(200);
        foreach (var type in new[] { "command_issued", "command_delivered", "command_acknowledged" })
        {
            var onCommands = await client.WaitForAsync(f => f.Topic == "commands" && f.Event == type);
            onCommands.Payload.GetProperty("data").GetProperty("command").Str("id").ShouldBe(id);
            onCommands.Payload.Str("session_id").ShouldBe("a");
            var onSession = await client.WaitForAsync(f => f.Topic == "session:a" && f.Event == type);
            onSession.Seq.ShouldBe(onCommands.Seq);
        }

        // A marker after the commands: everything before it on this connection has arrived when it does.
        (await server.Http.PatchAsync("/api/sessions/a", new { name = "marker" })).Status.ShouldBe(200);
        await client.WaitForAsync(f => f.Topic == "sessions" && f.Event == "session_updated" && f.Payload.ToString().Contains("marker", StringComparison.Ordinal));
        client.Backlog.ShouldNotContain(f => f.Topic == "sessions" && f.Event.StartsWith("command_", StringComparison.Ordinal));
        client.Backlog.ShouldNotContain(f => f.Topic == "commands" && !f.Event.StartsWith("command_", StringComparison.Ordinal) && f.Event != "phx_reply");

        // A command changed no session and no total: the summary moved only for the session created.
        var summaryAfter = (await server.Http.GetJsonAsync("/api/summary")).Body;
        summaryAfter.Long("active_count").ShouldBe(summaryBefore.Long("active_count") + 1);
        summaryAfter.Long("total_tokens").ShouldBe(summaryBefore.Long("total_tokens"));

        // A client that saw the snapshot resumes from its seq and gets exactly the command events after it.
        await using var resumer = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var resumed = await resumer.JoinAsync("commands", new { since, epoch = commands.Response.Str("epoch") });
        resumed.Response.GetProperty("resumed").GetBoolean().ShouldBeTrue(resumed.Raw);
        resumed.Response.Long("replayed").ShouldBe(3);
        var replayed = await resumer.WaitForAsync(f => f.Topic == "commands" && f.Event == "command_acknowledged");
        replayed.Payload.GetProperty("data").GetProperty("command").Str("id").ShouldBe(id);

        // A fresh join sees the pause still outstanding and the cancel gone.
        await using var late = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await late.JoinAsync("commands")).Response.GetProperty("commands").EnumerateArray().Select(c => c.Str("id")).ShouldBe([outstanding]);
    }

    [Fact]
    public async Task TheOutstandingCommandsSurviveARestartInTheSnapshot()
    {
        using var data = new TempDirectory();
        string id;
        await using (var first = await SwitchboardServer.StartAsync(dataDirectory: data.Path))
        {
            await first.Http.CreateAsync("s");
            id = (await first.Http.IssueAsync("s", new { type = "pause" })).Str("id");
            await first.Http.PostAsync("/api/sessions/s/heartbeat");
        }

        await using var second = await SwitchboardServer.StartAsync(dataDirectory: data.Path);
        await using var client = await PhoenixClient.ConnectAsync(second.WebSocketUri);
        var joined = await client.JoinAsync("commands");
        var snapshot = joined.Response.GetProperty("commands").EnumerateArray().ToList();
        snapshot.Select(c => c.Str("id")).ShouldBe([id]);
        snapshot[0].Str("state").ShouldBe("delivered");
    }

    [Fact]
    public async Task ALabelScopedTokenCannotJoinCommandsButSeesItsSessionsCommandsOnTheirTopic()
    {
        await using var secured = await Secured.StartAsync();
        await secured.Writer.CreateAsync("mine", new { labels = new { team = "red" } });
        await secured.Writer.CreateAsync("theirs", new { labels = new { team = "blue" } });
        var token = await secured.MintAsync(["commands", "session:*"], labels: new { team = "red" });
        await using var client = await PhoenixClient.ConnectAsync(secured.SocketUri(token));
        var refused = await client.JoinAsync("commands");
        refused.Status.ShouldBe("error");
        refused.Response.ToString().ShouldContain("fleet-wide");
        (await client.JoinAsync("session:mine")).Status.ShouldBe("ok");

        var id = (await secured.Writer.IssueAsync("mine", new { type = "pause" })).Str("id");
        var seen = await client.WaitForAsync(f => f.Topic == "session:mine" && f.Event == "command_issued");
        seen.Payload.GetProperty("data").GetProperty("command").Str("id").ShouldBe(id);
    }

    [Fact]
    public async Task SseFollowsTheCommandsTopicWithItsSnapshot()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("sse");
        var first = (await server.Http.IssueAsync("sse", new { type = "pause" })).Str("id");
        await using var sse = await SseReader.OpenAsync(server.Http, "/api/stream?topics=commands");
        var joined = await sse.NextEventAsync(e => e.Event == "joined");
        joined.Data!.ShouldContain(first);
        var second = (await server.Http.IssueAsync("sse", new { type = "resume" })).Str("id");
        var issued = await sse.NextEventAsync(e => e.Event == "command_issued");
        issued.Data!.ShouldContain(second);
    }
}

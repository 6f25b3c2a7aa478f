using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Commands;

/// <summary>
/// <c>/api/sessions/{id}/commands</c>: a command's life on the log, its delivery in the producer's write answers (once
/// per visibility timeout, at least once), acknowledgement (the same twice is fine, a different one is not), withdrawal and listings.
/// </summary>
public sealed class CommandApiTests
{
    [Fact]
    public async Task ACommandIsIssuedHandedOverInAHeartbeatAnswerAndAcknowledgedEachStepOnTheLog()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("agent", new { state = "working", lease_seconds = 30, labels = new { team = "core" } });

        var created = await server.Http.PostAsync("/api/sessions/agent/commands", new { type = "pause", text = "hold on", data = new { ticket = 42 }, expires_in_seconds = 60 });
        created.Status.ShouldBe(201, created.Body.ToString());
        var issued = created.Body;
        var id = issued.Str("id");
        id.ShouldStartWith("cmd_");
        created.Response.Headers.Location!.ToString().ShouldEndWith($"/api/sessions/agent/commands/{id}");
        issued.EnumerateObject().Select(p => p.Name).ShouldBe(
            ["id", "session_id", "type", "text", "data", "state", "issued_at", "issued_by", "expires_at", "delivered_at", "attempt", "acknowledged_at", "outcome", "note"]);
        issued.GetProperty("attempt").GetInt32().ShouldBe(0);
        issued.Str("session_id").ShouldBe("agent");
        issued.Str("type").ShouldBe("pause");
        issued.Str("text").ShouldBe("hold on");
        issued.GetProperty("data").GetProperty("ticket").GetInt32().ShouldBe(42);
        issued.Str("state").ShouldBe("pending");
        issued.Str("issued_by").ShouldBe("anonymous");
        (DateTimeOffset.Parse(issued.Str("expires_at")) - DateTimeOffset.Parse(issued.Str("issued_at"))).ShouldBe(TimeSpan.FromSeconds(60));
        issued.GetProperty("delivered_at").ValueKind.ShouldBe(JsonValueKind.Null);
        (await server.Http.GetJsonAsync($"/api/sessions/agent/commands/{id}")).Body.GetRawText().ShouldBe(issued.GetRawText());

        // The heartbeat's answer hands it over: delivered, once on the log, and not again inside its visibility timeout
        // (CommandRedeliveryTests hands it over again after it).
        var beat = (await server.Http.PostAsync("/api/sessions/agent/heartbeat")).Body;
        beat.CommandIds().ShouldBe([id]);
        var delivered = beat.GetProperty("commands")[0];
        delivered.Str("state").ShouldBe("delivered");
        delivered.GetProperty("delivered_at").ValueKind.ShouldBe(JsonValueKind.String);
        delivered.GetProperty("attempt").GetInt32().ShouldBe(1);
        (await server.Http.PostAsync("/api/sessions/agent/heartbeat")).Body.CommandIds().ShouldBeEmpty("handed over once until its visibility timeout");
        await server.Http.ExpectHistoryAsync("agent", "command_issued pause", "command_delivered pause");

        var ack = await server.Http.PostAsync($"/api/sessions/agent/commands/{id}/ack", new { outcome = "done", note = "paused at step 3" });
        ack.Status.ShouldBe(200, ack.Body.ToString());
        ack.Body.Str("state").ShouldBe("acknowledged");
        ack.Body.Str("outcome").ShouldBe("done");
        ack.Body.Str("note").ShouldBe("paused at step 3");
        ack.Body.Str("delivered_at").ShouldBe(delivered.Str("delivered_at"));
        var same = await server.Http.PostAsync($"/api/sessions/agent/commands/{id}/ack", new { outcome = "done", note = "paused at step 3" });
        same.Status.ShouldBe(200);
        same.Body.GetRawText().ShouldBe(ack.Body.GetRawText(), "the same acknowledgement answers the same");
        (await server.Http.PostAsync($"/api/sessions/agent/commands/{id}/ack", new { outcome = "failed" })).ShouldBeProblem(409);
        (await server.Http.PostAsync($"/api/sessions/agent/commands/{id}/ack", new { outcome = "done", note = "another note" })).ShouldBeProblem(409);
        (await server.Http.PostAsync("/api/sessions/agent/heartbeat")).Body.CommandIds().ShouldBeEmpty("an acknowledged command is not handed over again");

        await server.Http.ExpectHistoryAsync("agent", "command_issued pause", "command_delivered pause", "command_acknowledged pause");
        var events = (await server.Http.EventsAsync(sessionId: "agent")).Where(e => e.Str("type").StartsWith("command_", StringComparison.Ordinal)).ToList();
        events.Select(e => CommandKit.Command(e).Str("state")).ShouldBe(["pending", "delivered", "acknowledged"]);
        events.ShouldAllBe(e => e.Str("session_id") == "agent" && CommandKit.Command(e).Str("id") == id);
    }

    [Fact]
    public async Task UpdateUsageAndBatchAnswersCarryTheCommandsTheyHandOverCreateAndTerminateNone()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var created = (await server.Http.PostAsync("/api/sessions", new { id = "w", state = "working" })).Body;
        created.TryGetProperty("commands", out _).ShouldBeFalse("a create carries no commands");
        var first = (await server.Http.IssueAsync("w", new { type = "message", text = "use the staging database" })).Str("id");

        var patched = (await server.Http.PatchAsync("/api/sessions/w", new { tasks_running = 2 })).Body;
        patched.Long("tasks_running").ShouldBe(2);
        patched.Str("id").ShouldBe("w");
        patched.CommandIds().ShouldBe([first]);
        patched.GetProperty("commands")[0].Str("state").ShouldBe("delivered");

        var second = (await server.Http.IssueAsync("w", new { type = "cancel" })).Str("id");
        var usage = (await server.Http.PostAsync("/api/sessions/w/usage", new { input_tokens = 5 })).Body;
        usage.CommandIds().ShouldBe([second], "the one delivered already is not repeated inside its visibility timeout");
        var third = (await server.Http.IssueAsync("w", new { type = "message", text = "and the logs" })).Str("id");

        await server.Http.CreateAsync("other");
        var batch = (await server.Http.PostAsync("/api/batch", new
        {
            operations = new object[]
            {
                new { op = "update", id = "w", tasks_running = 1 },
                new { op = "usage", id = "w", output_tokens = 1 },
                new { op = "heartbeat", id = "w" },
                new { op = "create", id = "third" },
                new { op = "terminate", id = "other" },
                new { op = "update", id = "missing" },
            },
        })).Body.GetProperty("results");
        batch[0].CommandIds().ShouldBe([third], "the first answer hands it over");
        batch[1].CommandIds().ShouldBeEmpty("handed over once, in the first answer");
        batch[2].CommandIds().ShouldBeEmpty();

        foreach (var i in new[] { 3, 4, 5 })
        {
            batch[i].TryGetProperty("commands", out _).ShouldBeFalse($"operation {i} carries no commands");
        }

        var terminated = (await server.Http.PostAsync("/api/sessions/w/terminate")).Body;
        terminated.TryGetProperty("commands", out _).ShouldBeFalse("terminate carries no commands");
        await server.Http.ExpectHistoryAsync("w", "command_issued message", "command_delivered message", "command_issued cancel", "command_delivered cancel",
            "command_issued message", "command_delivered message");
        (await server.Http.GetJsonAsync("/api/sessions/w")).Body.TryGetProperty("commands", out _).ShouldBeFalse("a read carries none");
    }

    [Fact]
    public async Task APendingCommandIsWithdrawnOnceAndADeliveredOneIsNot()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("w", new { lease_seconds = 60 });
        var id = (await server.Http.IssueAsync("w", new { type = "pause" })).Str("id");
        var withdrawn = await server.Http.SendAsync(HttpMethod.Delete, $"/api/sessions/w/commands/{id}");
        withdrawn.Status.ShouldBe(200, withdrawn.Body.ToString());
        withdrawn.Body.Str("state").ShouldBe("withdrawn");
        (await server.Http.SendAsync(HttpMethod.Delete, $"/api/sessions/w/commands/{id}")).Status.ShouldBe(200, "withdrawing again changes nothing");
        (await server.Http.PostAsync("/api/sessions/w/heartbeat")).Body.CommandIds().ShouldBeEmpty();

        var handed = (await server.Http.IssueAsync("w", new { type = "cancel" })).Str("id");
        (await server.Http.PostAsync("/api/sessions/w/heartbeat")).Body.CommandIds().ShouldBe([handed]);
        (await server.Http.SendAsync(HttpMethod.Delete, $"/api/sessions/w/commands/{handed}")).ShouldBeProblem(409);
        await server.Http.ExpectHistoryAsync("w", "command_issued pause", "command_withdrawn pause", "command_issued cancel", "command_delivered cancel");
    }

    [Fact]
    public async Task ListingsAreInIssueOrderAndFilterByState()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("l");
        var a = (await server.Http.IssueAsync("l", new { type = "pause" })).Str("id");
        var b = (await server.Http.IssueAsync("l", new { type = "resume" })).Str("id");
        await server.Http.PostAsync("/api/sessions/l/heartbeat");
        var c = (await server.Http.IssueAsync("l", new { type = "message", text = "hi" })).Str("id");
        (await server.Http.PostAsync($"/api/sessions/l/commands/{a}/ack", new { outcome = "rejected", note = "cannot pause now" })).Status.ShouldBe(200);

        (await server.Http.CommandsAsync("l")).Select(x => x.Str("id")).ShouldBe([a, b, c]);
        (await server.Http.CommandsAsync("l", "pending")).Select(x => x.Str("id")).ShouldBe([c]);
        (await server.Http.CommandsAsync("l", "delivered,acknowledged")).Select(x => x.Str("id")).ShouldBe([a, b]);
        var list = (await server.Http.GetJsonAsync("/api/sessions/l/commands?limit=1")).Body;
        list.GetProperty("commands").GetArrayLength().ShouldBe(1);
        list.Long("as_of_seq").ShouldBeGreaterThan(0);
        (await server.Http.GetJsonAsync("/api/sessions/l/commands?state=sleeping")).ShouldBeProblem(400, "state");
        (await server.Http.GetJsonAsync("/api/sessions/l/commands?limit=0")).ShouldBeProblem(400, "limit");
        (await server.Http.GetJsonAsync("/api/sessions/l/commands/cmd_none")).ShouldBeProblem(404);
    }
}

using OpenTelemetry.Exporter;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Otlp;
using Switchboard.FunctionalTests.Security;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Commands;

/// <summary>Every refusal of the command API is problem+json and writes nothing: no event, no command.</summary>
public sealed class CommandRefusalTests
{
    [Fact]
    public async Task BadRequestsUnknownSessionsAndEndingSessionsAreRefusedAndWriteNothing()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var http = server.Http;
        await http.CreateAsync("ok", new { lease_seconds = 60 });
        await http.CreateAsync("ending", new { state = "working" });
        await http.PatchAsync("/api/sessions/ending", new { state = "terminating" });
        await http.CreateAsync("ended");
        await http.PostAsync("/api/sessions/ended/terminate");
        await http.CreateAsync("mute", new { accepts_commands = false });
        (await http.GetJsonAsync("/api/sessions/mute")).Body.GetProperty("accepts_commands").GetBoolean().ShouldBeFalse();
        (await http.GetJsonAsync("/api/sessions/ok")).Body.GetProperty("accepts_commands").GetBoolean().ShouldBeTrue();
        var head = await http.HeadAsync();

        (await http.PostAsync("/api/sessions/nope/commands", new { type = "cancel" })).ShouldBeProblem(404);
        (await http.GetJsonAsync("/api/sessions/nope/commands")).ShouldBeProblem(404);
        (await http.GetJsonAsync("/api/sessions/nope/commands?wait=1")).ShouldBeProblem(404);
        (await http.PostAsync("/api/sessions/ok/commands", new { type = "explode" })).ShouldBeProblem(400, "type");
        (await http.PostAsync("/api/sessions/ok/commands", new { text = "no type" })).ShouldBeProblem(400, "type");
        (await http.PostAsync("/api/sessions/ok/commands", new { type = "message" })).ShouldBeProblem(400, "text");
        (await http.PostAsync("/api/sessions/ok/commands", new { type = "cancel", expires_in_seconds = 0 })).ShouldBeProblem(400, "expires_in_seconds");
        (await http.PostAsync("/api/sessions/ok/commands", new { type = "cancel", expires_in_seconds = 86_401 })).ShouldBeProblem(400, "expires_in_seconds");
        (await http.PostAsync("/api/sessions/ok/commands", new { type = "cancel", data = new[] { 1 } })).ShouldBeProblem(400, "data");
        (await http.PostAsync("/api/sessions/ok/commands", new { type = "cancel", text = new string('x', 4097) })).ShouldBeProblem(400, "text");
        (await http.PostAsync("/api/sessions/ok/commands", new { type = "cancel", priority = 1 })).ShouldBeProblem(400, "priority");
        (await http.PostAsync("/api/sessions/ok/commands", "[1]")).ShouldBeProblem(400);
        (await http.PostAsync("/api/sessions/ending/commands", new { type = "cancel" })).ShouldBeProblem(409);
        (await http.PostAsync("/api/sessions/ended/commands", new { type = "pause" })).ShouldBeProblem(409);
        var mute = await http.PostAsync("/api/sessions/mute/commands", new { type = "cancel" });
        mute.ShouldBeProblem(409);
        mute.Body.Str("code").ShouldBe("commands_not_supported");

        (await http.HeadAsync()).ShouldBe(head, "no refusal appended an event");
        (await http.CommandsAsync("ok")).ShouldBeEmpty();
        (await http.CommandsAsync("mute")).ShouldBeEmpty();
    }

    [Fact]
    public async Task AcknowledgementsOfWithdrawnOtherSessionsOrUnknownCommandsAreRefusedAndWriteNothing()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var http = server.Http;
        await http.CreateAsync("a");
        await http.CreateAsync("b");
        var withdrawn = (await http.IssueAsync("a", new { type = "pause" })).Str("id");
        (await http.SendAsync(HttpMethod.Delete, $"/api/sessions/a/commands/{withdrawn}")).Status.ShouldBe(200);
        var others = (await http.IssueAsync("b", new { type = "cancel" })).Str("id");
        var head = await http.HeadAsync();

        var r = await http.PostAsync($"/api/sessions/a/commands/{withdrawn}/ack", new { outcome = "done" });
        r.ShouldBeProblem(409);
        r.Body.Str("code").ShouldBe("command_withdrawn");
        r = await http.PostAsync($"/api/sessions/a/commands/{others}/ack", new { outcome = "done" });
        r.ShouldBeProblem(409);
        r.Body.Str("code").ShouldBe("command_of_other_session");
        (await http.PostAsync("/api/sessions/a/commands/cmd_missing/ack", new { outcome = "done" })).ShouldBeProblem(404);
        (await http.PostAsync("/api/sessions/nope/commands/cmd_missing/ack", new { outcome = "done" })).ShouldBeProblem(404);
        (await http.PostAsync($"/api/sessions/b/commands/{others}/ack", new { outcome = "maybe" })).ShouldBeProblem(400, "outcome");
        (await http.PostAsync($"/api/sessions/b/commands/{others}/ack", new { note = "no outcome" })).ShouldBeProblem(400, "outcome");
        (await http.PostAsync($"/api/sessions/b/commands/{others}/ack", new { outcome = "done", note = new string('n', 2001) })).ShouldBeProblem(400, "note");
        (await http.SendAsync(HttpMethod.Delete, $"/api/sessions/a/commands/{others}")).ShouldBeProblem(409);
        (await http.SendAsync(HttpMethod.Delete, "/api/sessions/a/commands/cmd_missing")).ShouldBeProblem(404);
        (await http.GetJsonAsync($"/api/sessions/a/commands/{others}")).ShouldBeProblem(404);

        (await http.HeadAsync()).ShouldBe(head, "no refusal appended an event");
        (await http.CommandsAsync("b")).Single().Str("state").ShouldBe("pending");
    }

    [Fact]
    public async Task ASessionFromOpenTelemetrySaysItCannotReceiveCommandsAndACommandToItIs409()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var conversation = $"conv-{Guid.NewGuid():N}"[..20];
        OtlpKit.TraceAgents(new Uri(server.BaseAddress, "/v1/traces"), OtlpExportProtocol.HttpProtobuf, [conversation]);
        await OtlpKit.ExportedAsync(server.Http, 0, OtlpKit.SpansPerAgentTurn);
        var session = await OtlpKit.SessionAsync(server.Http, "otel:c:" + conversation);
        session.GetProperty("accepts_commands").GetBoolean().ShouldBeFalse();
        var head = await server.Http.HeadAsync();

        var refused = await server.Http.PostAsync($"/api/sessions/otel:c:{conversation}/commands", new { type = "cancel" });
        refused.ShouldBeProblem(409);
        refused.Body.Str("code").ShouldBe("commands_not_supported");
        (await server.Http.HeadAsync()).ShouldBe(head);
    }

    [Fact]
    public async Task AReadKeyAndASubscriberTokenGet403AndWriteNothingWhileAWriteKeyIssues()
    {
        await using var secured = await Secured.StartAsync();
        await secured.Writer.CreateAsync("guarded", new { lease_seconds = 60 });
        var token = await secured.MintAsync(["session:guarded"]);
        using var withToken = secured.Server.HttpWithKey(token);
        var head = await secured.Writer.HeadAsync();

        foreach (var client in new[] { secured.Reader, withToken })
        {
            var refused = await client.PostAsync("/api/sessions/guarded/commands", new { type = "cancel" });
            refused.ShouldBeProblem(403);
            refused.Body.Str("code").ShouldBe("insufficient_scope");
        }

        (await secured.Writer.HeadAsync()).ShouldBe(head);
        var issued = await secured.Writer.IssueAsync("guarded", new { type = "cancel" });
        issued.Str("issued_by").ShouldStartWith("key-", customMessage: "the write key's fingerprint, never the key");
        var id = issued.Str("id");
        (await secured.Reader.PostAsync($"/api/sessions/guarded/commands/{id}/ack", new { outcome = "done" })).ShouldBeProblem(403);
        (await withToken.PostAsync($"/api/sessions/guarded/commands/{id}/ack", new { outcome = "done" })).ShouldBeProblem(403);
        (await secured.Reader.SendAsync(HttpMethod.Delete, $"/api/sessions/guarded/commands/{id}")).ShouldBeProblem(403);
        (await withToken.GetJsonAsync("/api/sessions/guarded/commands")).ShouldBeProblem(403);

        // A read key reads, and its long-poll watches without handing anything over.
        (await secured.Reader.GetJsonAsync("/api/sessions/guarded/commands")).Status.ShouldBe(200);
        var watched = (await secured.Reader.GetJsonAsync("/api/sessions/guarded/commands?wait=0")).Body;
        watched.GetProperty("commands")[0].Str("state").ShouldBe("pending");
        var handed = (await secured.Writer.GetJsonAsync("/api/sessions/guarded/commands?wait=0")).Body;
        handed.GetProperty("commands")[0].Str("state").ShouldBe("delivered");
    }
}

namespace Switchboard.FunctionalTests.Http;

/// <summary>The command calls against the document: issue, list, long-poll, read, acknowledge, withdraw, the write answers that carry commands, and their refusals.</summary>
public sealed partial class OpenApiConformanceTests
{
    [Fact]
    public async Task CommandCallsAndTheWriteAnswersThatCarryCommandsMatchTheDocument()
    {
        var id = $"oa-c-{Guid.NewGuid():N}"[..20];
        await Call(HttpMethod.Post, "/api/sessions", $$"""{"id":"{{id}}","lease_seconds":60,"accepts_commands":true}""", 201);
        await Call(HttpMethod.Post, "/api/sessions", $$"""{"id":"{{id}}-mute","accepts_commands":false}""", 201);
        await Call(HttpMethod.Post, $"/api/sessions/{id}/commands", """{"type":"message","text":"hello","data":{"k":[1,2]},"expires_in_seconds":600}""", 201);
        var first = _exchanges[^1].Response!.Value.GetProperty("id").GetString()!;
        await Call(HttpMethod.Post, $"/api/sessions/{id}/commands", """{"type":"pause","text":null,"data":null}""", 201);
        var second = _exchanges[^1].Response!.Value.GetProperty("id").GetString()!;
        await Call(HttpMethod.Post, $"/api/sessions/{id}/commands", """{"type":"cancel"}""", 201);
        var third = _exchanges[^1].Response!.Value.GetProperty("id").GetString()!;

        await Call(HttpMethod.Get, $"/api/sessions/{id}/commands", null, 200);
        await Call(HttpMethod.Get, $"/api/sessions/{id}/commands?state=pending,delivered&limit=2", null, 200);
        await Call(HttpMethod.Get, $"/api/sessions/{id}/commands/{first}", null, 200);
        await Call(HttpMethod.Get, $"/api/sessions/{id}/commands?wait=0&state=pending", null, 200);
        await Call(HttpMethod.Post, $"/api/sessions/{id}/heartbeat", null, 200);
        await Call(HttpMethod.Patch, $"/api/sessions/{id}", """{"tasks_running":1}""", 200);
        await Call(HttpMethod.Post, $"/api/sessions/{id}/usage", """{"input_tokens":1}""", 200);
        await Call(HttpMethod.Post, "/api/batch", $$"""
            {"operations":[{"op":"update","id":"{{id}}","tasks_running":0},{"op":"usage","id":"{{id}}","cost_usd":0.1},{"op":"heartbeat","id":"{{id}}"}]}
            """, 200);
        await Call(HttpMethod.Post, $"/api/sessions/{id}/commands/{first}/ack", """{"outcome":"done","note":"read"}""", 200);
        await Call(HttpMethod.Post, $"/api/sessions/{id}/commands/{second}/ack", """{"outcome":"rejected","note":null}""", 200);
        await Call(HttpMethod.Post, $"/api/sessions/{id}/commands/{third}/ack", """{"outcome":"failed"}""", 200);
        await Call(HttpMethod.Post, $"/api/sessions/{id}/commands", """{"type":"resume"}""", 201);
        var fourth = _exchanges[^1].Response!.Value.GetProperty("id").GetString()!;
        await Call(HttpMethod.Delete, $"/api/sessions/{id}/commands/{fourth}", null, 200);

        await Call(HttpMethod.Post, $"/api/sessions/{id}/commands", """{"type":"explode"}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Post, $"/api/sessions/{id}/commands", """{"text":"no type"}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Post, $"/api/sessions/{id}/commands", """{"type":"cancel","urgent":true}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Post, $"/api/sessions/{id}/commands", """{"type":"message"}""", 400);
        await Call(HttpMethod.Post, $"/api/sessions/{id}-mute/commands", """{"type":"cancel"}""", 409);
        await Call(HttpMethod.Post, "/api/sessions/oa-none/commands", """{"type":"cancel"}""", 404);
        await Call(HttpMethod.Post, $"/api/sessions/{id}/commands/{first}/ack", """{"outcome":"failed"}""", 409);
        await Call(HttpMethod.Post, $"/api/sessions/{id}/commands/{first}/ack", """{"outcome":"maybe"}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Post, $"/api/sessions/{id}/commands/{fourth}/ack", """{"outcome":"done"}""", 409);
        await Call(HttpMethod.Delete, $"/api/sessions/{id}/commands/{first}", null, 409);
        await Call(HttpMethod.Get, $"/api/sessions/{id}/commands/cmd_none", null, 404);
        await Call(HttpMethod.Get, $"/api/sessions/{id}/commands?state=asleep", null, 400);

        await Call(HttpMethod.Post, "/api/alert-rules", """{"name":"Budget","condition":"session_cost","threshold":5,"action":{"type":"cancel","text":"over budget"}}""", 201);
        await Call(HttpMethod.Post, "/api/alert-rules", """{"name":"Plain","condition":"session_error","action":null}""", 201);
        await Call(HttpMethod.Post, "/api/alert-rules", """{"name":"x","condition":"session_error","action":{"type":"cancel","at":1}}""", 400, schemaRefuses: true);
        await Call(HttpMethod.Get, "/api/alert-rules", null, 200);

        CheckExchanges();
    }
}

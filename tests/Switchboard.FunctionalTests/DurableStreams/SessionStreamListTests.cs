using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Security;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.DurableStreams;

/// <summary>
/// A session lists its streams (<c>streams: [{name, content_type, closed}]</c>): creating, closing or deleting one is a
/// change of the session, committed with the stream (its version moves, <c>session_updated</c>); an append is not. On
/// SQLite and on PostgreSQL.
/// </summary>
public sealed class SessionStreamListTests(PostgresClusterFixture postgres)
{
    private async Task<SwitchboardServer> StartAsync(string storeName, Action<Switchboard.Server.Options.SwitchboardOptions>? configure = null)
    {
        var database = storeName == "postgres" ? await (await postgres.GetAsync()).CreateDatabaseAsync() : null;
        return await SwitchboardServer.StartAsync(configure, store: database is null ? null : (Action<ISwitchboardBuilder>)(b => b.UsePostgres(database)));
    }

    private static async Task<JsonElement> SessionAsync(HttpClient http, string id)
    {
        var (status, body, _) = await http.GetJsonAsync($"/api/sessions/{id}");
        status.ShouldBe(200, body.ToString());
        return body;
    }

    private static string Streams(JsonElement session) => session.GetProperty("streams").GetRawText();

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TheSessionListsItsStreamsAndACreateCloseOrDeleteMovesItsVersionButAnAppendDoesNot(string storeName)
    {
        await using var server = await StartAsync(storeName);
        var http = server.Http;
        await http.CreateAsync("s1");
        Streams(await SessionAsync(http, "s1")).ShouldBe("[]");

        (await http.PutAsync("sessions/s1/output", "hello ")).Status.ShouldBe(201);
        var created = await SessionAsync(http, "s1");
        (created.Long("version"), Streams(created)).ShouldBe((2L, """[{"name":"output","content_type":"text/plain","closed":false}]"""));

        (await http.AppendAsync("sessions/s1/output", "world")).Status.ShouldBe(204);
        (await http.PutAsync("sessions/s1/output", null, "text/plain")).Status.ShouldBe(200, "a create that matches");
        (await SessionAsync(http, "s1")).Long("version").ShouldBe(2, "neither an append nor a matching create is a change");

        (await http.PutAsync("sessions/s1/events", "[]", "application/json")).Status.ShouldBe(201);
        (await http.AppendAsync("sessions/s1/output", null, null, ("Stream-Closed", "true"))).Status.ShouldBe(204);
        var closed = await SessionAsync(http, "s1");
        (closed.Long("version"), Streams(closed)).ShouldBe((4L,
            """[{"name":"events","content_type":"application/json","closed":false},{"name":"output","content_type":"text/plain","closed":true}]"""));

        (await http.DeleteStreamAsync("sessions/s1/events")).Status.ShouldBe(204);
        (await SessionAsync(http, "s1")).Long("version").ShouldBe(5);
        (await http.PutAsync("sessions/s1/log")).Status.ShouldBe(201);

        var events = (await http.EventsAsync(sessionId: "s1")).Where(e => e.Str("type") == "session_updated").ToList();
        events.Count.ShouldBe(5, "output and events created, output closed, events deleted, log created");
        events.Select(e => e.GetProperty("data").GetProperty("changes").TryGetProperty("streams", out _)).ShouldAllBe(has => has,
            "each carries the new list in its changes");
        events[0].GetProperty("data").GetProperty("changes").GetProperty("streams").GetRawText()
            .ShouldBe("""[{"name":"output","content_type":"text/plain","closed":false}]""");

        (await http.PostAsync("/api/sessions/s1/terminate")).Status.ShouldBe(200);
        var ended = await SessionAsync(http, "s1");
        Streams(ended).ShouldBe("""[{"name":"log","content_type":"text/plain","closed":true},{"name":"output","content_type":"text/plain","closed":true}]""",
            "the end closes them all, in the session's own commit");
        (await http.HeadAsync("sessions/s1/log")).Header("Stream-Closed").ShouldBe("true");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AStreamCreateRacingTheSessionsEndIsRefusedOrClosedWithItNeverLeftOpen(string storeName)
    {
        await using var server = await StartAsync(storeName);
        var http = server.Http;
        const int Sessions = 24;
        for (var i = 0; i < Sessions; i++)
        {
            await http.CreateAsync($"r{i}");
        }

        var races = Enumerable.Range(0, Sessions).Select(async i =>
        {
            var create = http.PutAsync($"sessions/r{i}/output", "x");
            var end = http.PostAsync($"/api/sessions/r{i}/terminate");
            await Task.WhenAll(create, end);
            (await end).Status.ShouldBe(200);
            return (Id: $"r{i}", Create: await create);
        }).ToList();

        foreach (var (id, create) in await Task.WhenAll(races))
        {
            var head = await http.HeadAsync($"sessions/{id}/output");
            var session = await SessionAsync(http, id);
            session.Str("state").ShouldBe("terminated");
            switch (create.Status)
            {
                case 201:
                    head.Header("Stream-Closed").ShouldBe("true", $"{id}: a stream created before the end is closed by it");
                    Streams(session).ShouldBe("""[{"name":"output","content_type":"text/plain","closed":true}]""");
                    break;
                case 409:
                    create.Body.ShouldContain("session_ended");
                    head.Status.ShouldBe(404, $"{id}: a create refused after the end leaves no stream");
                    Streams(session).ShouldBe("[]");
                    break;
                default:
                    throw new ShouldAssertException($"{id}: the create answered {create.Status}: {create.Body}");
            }
        }
    }

    [Fact]
    public async Task AnSseReadWithASubscriberTokenEndsWhenTheTokenExpires()
    {
        var time = new ManualTimeProvider();
        await using var secured = await Secured.StartAsync(o => o.Streams.SseReconnectAfter = TimeSpan.FromHours(1), time);
        await secured.Writer.CreateAsync("s1");
        (await secured.Writer.PutAsync("sessions/s1/output", "hello")).Status.ShouldBe(201);
        var token = Uri.EscapeDataString(await secured.MintAsync(topics: ["session:s1"], ttlSeconds: 60));
        using var page = new HttpClient { BaseAddress = secured.Server.BaseAddress };

        await using var sse = await SseReader.OpenAsync(page, $"/v1/stream/sessions/s1/output?offset=-1&live=sse&token={token}");
        (await sse.NextEventAsync(r => r.Event == "data")).Data.ShouldBe("hello");
        (await secured.Writer.AppendAsync("sessions/s1/output", " world")).Status.ShouldBe(204);
        (await sse.NextEventAsync(r => r.Event == "data")).Data.ShouldBe(" world", "live while the token holds");
        sse.Ended.IsCompleted.ShouldBeFalse();

        time.Advance(TimeSpan.FromSeconds(61));
        await sse.Ended.WaitAsync(TestTimeouts.Default);
        (await page.ReadAsync("sessions/s1/output", $"?offset=-1&live=sse&token={token}")).Status.ShouldBe(401, "the reconnect is refused");

    }
}

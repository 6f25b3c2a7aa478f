using Microsoft.Extensions.DependencyInjection;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Security;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.DurableStreams;

/// <summary>
/// A session's streams, <c>/v1/stream/sessions/{id}/{name}</c>: written with a write key while the session lives, read
/// with a key or a subscriber token covering <c>session:{id}</c> (as <c>?token=</c> for a page's EventSource), and
/// reached by a key scoped by labels only when the session carries them.
/// </summary>
public sealed class SessionStreamTests
{
    [Fact]
    public async Task AProducerWritesItsSessionsOutputAndAPageReadsItWithATokenForThatSession()
    {
        await using var secured = await Secured.StartAsync();
        (await secured.Writer.PutAsync("sessions/s1/output", "x")).Status.ShouldBe(404, "no session s1 yet");
        await secured.Writer.CreateAsync("s1");
        await secured.Writer.CreateAsync("s2");
        (await secured.Writer.PutAsync("sessions/s1/output", "hello ")).Status.ShouldBe(201);
        (await secured.Writer.AppendAsync("sessions/s1/output", "world")).Status.ShouldBe(204);

        (await secured.Reader.ReadAsync("sessions/s1/output", "?offset=-1")).Body.ShouldBe("hello world");
        (await secured.Reader.AppendAsync("sessions/s1/output", "no")).Status.ShouldBe(403, "a read key does not write");

        var token = Uri.EscapeDataString(await secured.MintAsync(topics: ["session:s1"]));
        using var page = new HttpClient { BaseAddress = secured.Server.BaseAddress };
        (await page.ReadAsync("sessions/s1/output", "?offset=-1")).Status.ShouldBe(401);
        var read = await page.ReadAsync("sessions/s1/output", $"?offset=-1&token={token}");
        (read.Status, read.Body).ShouldBe((200, "hello world"));
        (await page.HeadAsync($"sessions/s1/output?token={token}")).Status.ShouldBe(200);
        await using (var sse = await SseReader.OpenAsync(page, $"/v1/stream/sessions/s1/output?offset=-1&live=sse&token={token}"))
        {
            (await sse.NextEventAsync(r => r.Event == "data")).Data.ShouldBe("hello world");
        }

        (await page.ReadAsync("sessions/s2/output", $"?offset=-1&token={token}")).Status.ShouldBe(403, "the token covers s1 only");
        (await StreamHttp.SendAsync(page, HttpMethod.Post, $"sessions/s1/output?token={token}", "x", "text/plain", [])).Status
            .ShouldBe(401, "a token never writes");
    }

    [Fact]
    public async Task PathsUnderSessionsNameOneSessionAndOneStreamAndAnEndedSessionTakesNoNewStream()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("s1");
        (await server.Http.PutAsync("sessions/s1")).Status.ShouldBe(400);
        (await server.Http.PutAsync("sessions/s1/a/b")).Status.ShouldBe(400);
        (await server.Http.ReadAsync("sessions/s1/a/b")).Status.ShouldBe(400);
        (await server.Http.PutAsync("sessions/s1/..")).Status.ShouldBe(400);
        (await server.Http.PutAsync("sessions/s1/output")).Status.ShouldBe(201);

        (await server.Http.PostAsync("/api/sessions/s1/terminate")).Status.ShouldBe(200);
        var refused = await server.Http.PutAsync("sessions/s1/transcript");
        refused.Status.ShouldBe(409, refused.Body);
        refused.Body.ShouldContain("ended");
        (await server.Http.HeadAsync("sessions/s1/transcript")).Status.ShouldBe(404, "nothing was created");
    }

    [Fact]
    public async Task EachSessionHasABoundedNumberOfStreams()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Streams.MaxStreamsPerSession = 2);
        await server.Http.CreateAsync("s1");
        await server.Http.CreateAsync("s2");
        (await server.Http.PutAsync("sessions/s1/a")).Status.ShouldBe(201);
        (await server.Http.PutAsync("sessions/s1/b")).Status.ShouldBe(201);
        var refused = await server.Http.PutAsync("sessions/s1/c");
        refused.Status.ShouldBe(429, refused.Body);
        refused.Body.ShouldContain("MaxStreamsPerSession");
        (await server.Http.HeadAsync("sessions/s1/c")).Status.ShouldBe(404, "nothing was created");
        (await server.Http.PutAsync("sessions/s2/a")).Status.ShouldBe(201, "another session has its own bound");
        (await server.Http.PutAsync("runs/1")).Status.ShouldBe(201, "streams outside sessions do not count");
        (await server.Http.PutAsync("sessions/s1/a")).Status.ShouldBe(200, "an existing stream's create still matches");

        (await server.Http.DeleteStreamAsync("sessions/s1/a")).Status.ShouldBe(204);
        (await server.Http.PutAsync("sessions/s1/c")).Status.ShouldBe(201, "a deleted stream frees its place");
    }

    [Fact]
    public async Task AKeyScopedByLabelsReachesOnlyItsSessionsStreams()
    {
        await using var keys = await ScopedKeys.StartAsync();
        (await keys.Red.PutAsync("sessions/red-1/output", "red")).Status.ShouldBe(201);
        (await keys.Red.PutAsync("sessions/blue-1/output", "x")).Status.ShouldBe(404, "blue-1 is outside the key's scope");
        (await keys.Blue.AppendAsync("sessions/red-1/output", "x")).Status.ShouldBe(404);
        var hidden = await keys.Blue.ReadAsync("sessions/red-1/output", "?offset=-1");
        var missing = await keys.Blue.ReadAsync("sessions/nobody-1/output", "?offset=-1");
        hidden.Status.ShouldBe(404, "red-1 is outside blue's scope: answered as a stream that does not exist");
        hidden.Body.Replace("red-1", "X").ShouldBe(missing.Body.Replace("nobody-1", "X"));
        (await keys.Red.ReadAsync("sessions/red-1/output", "?offset=-1")).Body.ShouldBe("red");

        (await keys.Red.PutAsync("runs/1/output", "x")).Status.ShouldBe(403, "a scoped key has no streams outside its sessions");
        (await keys.Admin.PutAsync("runs/1/output", "admin")).Status.ShouldBe(201);
        (await keys.Red.ReadAsync("runs/1/output", "?offset=-1")).Status.ShouldBe(403);
        var fork = await keys.Red.PutAsync("sessions/red-2/copy", null, "text/plain", ("Stream-Forked-From", "/v1/stream/runs/1/output"));
        fork.Status.ShouldBe(403, "a fork reads its source, which the key does not reach");
        (await keys.Admin.ReadAsync("runs/1/output", "?offset=-1")).Body.ShouldBe("admin", "refused requests changed nothing");
    }
}

/// <summary>
/// A session's streams end with it: the commit that terminates the session closes them (live readers see the close) and
/// bounds them to <c>Switchboard:Streams:RetainAfterEnd</c>, on SQLite and on PostgreSQL.
/// </summary>
public sealed class SessionStreamEndTests(PostgresClusterFixture postgres)
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TerminatingASessionClosesItsStreamsAndTheyExpireAfterTheRetention(string storeName)
    {
        var time = new ManualTimeProvider();
        var database = storeName == "postgres" ? await (await postgres.GetAsync()).CreateDatabaseAsync() : null;
        await using var server = await SwitchboardServer.StartAsync(o => o.Streams.RetainAfterEnd = TimeSpan.FromHours(1), time,
            store: database is null ? null : (Action<ISwitchboardBuilder>)(b => b.UsePostgres(database)));
        await server.Http.CreateAsync("s1");
        await server.Http.CreateAsync("s2");
        (await server.Http.PutAsync("sessions/s1/output", "working")).Status.ShouldBe(201);
        (await StreamHttp.PutAsync(server.Http, "sessions/s1/log", "x", "text/plain", ("Stream-TTL", "60"))).Status.ShouldBe(201);
        (await server.Http.PutAsync("sessions/s2/output", "other")).Status.ShouldBe(201);
        (await server.Http.PutAsync("runs/1", "unrelated")).Status.ShouldBe(201);
        await using var sse = await SseReader.OpenAsync(server.Http, "/v1/stream/sessions/s1/output?offset=-1&live=sse");
        (await sse.NextEventAsync(r => r.Event == "data")).Data.ShouldBe("working");
        (await sse.NextEventAsync(r => r.Event == "control")).Data.ShouldNotBeNull().ShouldNotContain("streamClosed");

        var ended = time.GetUtcNow();
        (await server.Http.PostAsync("/api/sessions/s1/terminate")).Status.ShouldBe(200);

        (await sse.NextEventAsync(r => r.Event == "control" && r.Data!.Contains("streamClosed"))).Data!.ShouldContain("\"streamClosed\":true");
        await sse.Ended.WaitAsync(TestTimeouts.Default);
        var output = await server.Http.HeadAsync("sessions/s1/output");
        (output.Header("Stream-Closed"), output.Header("Stream-TTL")).ShouldBe(("true", null));
        DateTimeOffset.Parse(output.Header("Stream-Expires-At")!).ShouldBe(ended.AddHours(1), TimeSpan.FromSeconds(5));
        var log = await server.Http.HeadAsync("sessions/s1/log");
        log.Header("Stream-Closed").ShouldBe("true");
        DateTimeOffset.Parse(log.Header("Stream-Expires-At")!).ShouldBe(ended.AddSeconds(60), TimeSpan.FromSeconds(5), "its own TTL ran out sooner");
        (await server.Http.AppendAsync("sessions/s1/output", "more")).Status.ShouldBe(409, "closed");
        (await server.Http.HeadAsync("sessions/s2/output")).Header("Stream-Closed").ShouldBeNull("another session's stream stays open");
        (await server.Http.HeadAsync("runs/1")).Header("Stream-Closed").ShouldBeNull();

        time.Advance(TimeSpan.FromMinutes(30));
        (await server.Http.ReadAsync("sessions/s1/output", "?offset=-1")).Body.ShouldBe("working", "readable while retained");
        time.Advance(TimeSpan.FromMinutes(31));
        (await server.Http.ReadAsync("sessions/s1/output", "?offset=-1")).Status.ShouldBe(404, "gone after the retention");
        (await server.Http.ReadAsync("sessions/s2/output", "?offset=-1")).Body.ShouldBe("other");
    }
}

using System.Text.Json;
using Switchboard.Core.Storage;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Security;
using Switchboard.Server.Streams;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.DurableStreams;

/// <summary>
/// The event log's topics as read-only Durable Streams (<c>/v1/stream/topics/…</c>): the socket's envelopes, offsets
/// from <c>seq</c>, exact resume, live tails woken by the live core, 410 past retention, 405 for writes.
/// </summary>
public sealed class TopicStreamTests
{
    [Fact]
    public async Task TopicsSessionsResumesFromAnOffsetWithEveryEventExactlyOnce()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("a");
        await server.Http.CreateAsync("b");

        var first = await server.Http.ReadAsync("topics/sessions", "?offset=-1");
        first.Status.ShouldBe(200, first.Body);
        first.Response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        first.Header("Stream-Up-To-Date").ShouldBe("true");
        var events = Envelopes(first.Body);
        events.Select(e => (e.Str("type"), e.Str("session_id"))).ShouldBe([("session_created", "a"), ("session_created", "b")]);
        events.Select(e => e.GetProperty("seq").GetInt64()).ShouldBe([1L, 2L]);

        await server.Http.CreateAsync("c");
        var next = await server.Http.ReadAsync("topics/sessions", $"?offset={first.Header("Stream-Next-Offset")}");
        Envelopes(next.Body).Select(e => e.Str("session_id")).ShouldBe(["c"], "the resume reads only what came after its offset");

        var again = await server.Http.ReadAsync("topics/sessions", $"?offset={next.Header("Stream-Next-Offset")}");
        (again.Status, again.Body, again.Header("Stream-Up-To-Date")).ShouldBe((200, "[]", "true"));
    }

    [Fact]
    public async Task ASessionTopicHoldsOnlyThatSessionAndLabelFiltersNarrowTopicsSessions()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("red", new { labels = new { team = "red" } });
        await server.Http.CreateAsync("blue", new { labels = new { team = "blue" } });
        (await server.Http.PatchAsync("/api/sessions/red", new { state = "working" })).Status.ShouldBe(200);

        var one = await server.Http.ReadAsync("topics/session:red", "?offset=-1");
        Envelopes(one.Body).Select(e => (e.Str("session_id"), e.Str("type"))).ShouldBe([("red", "session_created"), ("red", "session_updated")]);

        var blue = await server.Http.ReadAsync("topics/sessions", "?offset=-1&label=team=blue");
        Envelopes(blue.Body).Select(e => e.Str("session_id")).ShouldBe(["blue"]);
    }

    [Fact]
    public async Task ALongPollOnATopicAnswersWithTheNextEventAndSseCarriesEventsLive()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Streams.LongPollTimeout = TimeSpan.FromMinutes(5));
        await server.Http.CreateAsync("before");
        await using var sse = await SseReader.OpenAsync(server.Http, "/v1/stream/topics/sessions?offset=-1&live=sse");
        Envelopes((await sse.NextEventAsync(r => r.Event == "data")).Data!).Single().Str("session_id").ShouldBe("before");
        (await sse.NextEventAsync(r => r.Event == "control")).Data.ShouldNotBeNull().ShouldContain("\"upToDate\":true");

        var poll = server.Http.ReadAsync("topics/sessions", $"?offset={StreamOffset(1)}&live=long-poll");
        await TestTimeouts.Eventually(() => server.Get<StreamWatch>().Waiters == 2, "the long-poll and the SSE reader wait");
        await server.Http.CreateAsync("after");

        var answer = await poll;
        answer.Status.ShouldBe(200, answer.Body);
        Envelopes(answer.Body).Single().Str("session_id").ShouldBe("after");
        answer.Header("Stream-Next-Offset").ShouldBe(StreamOffset(2));
        answer.Header("Stream-Cursor").ShouldNotBeNull();
        Envelopes((await sse.NextEventAsync(r => r.Event == "data")).Data!).Single().Str("session_id").ShouldBe("after");
        (await sse.NextEventAsync(r => r.Event == "control")).Data.ShouldNotBeNull().ShouldContain(StreamOffset(2));
    }

    [Fact]
    public async Task TopicsAreReadOnlyAndOnlyLoggedTopicsAreStreams()
    {
        await using var server = await SwitchboardServer.StartAsync();
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete })
        {
            var refused = await StreamHttp.SendAsync(server.Http, method, "topics/sessions", "[]", "application/json", []);
            refused.Status.ShouldBe(405, $"{method} {refused.Body}");
            refused.Response.Content.Headers.Allow.ShouldContain("GET");
        }

        (await server.Http.ReadAsync("topics/summary", "?offset=-1")).Status.ShouldBe(404, "summary is derived, not logged");
        (await server.Http.ReadAsync("topics/usage", "?offset=-1")).Status.ShouldBe(404);
        (await server.Http.ReadAsync("topics/alerts", "?offset=-1")).Status.ShouldBe(200);
        (await server.Http.ReadAsync("topics/commands", "?offset=-1")).Status.ShouldBe(200);
        (await server.Http.ReadAsync("topics/session:x", "?offset=-1&label=a=b")).Status.ShouldBe(400);
    }

    [Fact]
    public async Task AnOffsetOlderThanRetentionIsGoneAndMinusOneStartsAtTheOldestRetained()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(time: time);
        for (var i = 0; i < 5; i++)
        {
            await server.Http.CreateAsync($"s{i}");
        }

        await server.Get<ISessionStore>().PurgeAsync(new RetentionPolicy(TimeSpan.FromDays(1), MaxEvents: 2), time.GetUtcNow(), CancellationToken.None);

        var gone = await server.Http.ReadAsync("topics/sessions", $"?offset={StreamOffset(1)}");
        gone.Status.ShouldBe(410, gone.Body);
        gone.Body.ShouldContain("offset=-1");

        var oldest = await server.Http.ReadAsync("topics/sessions", "?offset=-1");
        Envelopes(oldest.Body).Select(e => e.Str("session_id")).ShouldBe(["s3", "s4"]);
    }

    [Fact]
    public async Task ATokenReadsItsTopicsAsQueryParameterAndNothingElse()
    {
        await using var secured = await Secured.StartAsync();
        await secured.Writer.CreateAsync("mine");
        await secured.Writer.CreateAsync("theirs");
        var token = await secured.MintAsync(topics: ["session:mine"]);
        using var anonymous = new HttpClient { BaseAddress = secured.Server.BaseAddress };

        (await anonymous.ReadAsync("topics/session:mine", "?offset=-1")).Status.ShouldBe(401);
        var mine = await anonymous.ReadAsync("topics/session:mine", $"?offset=-1&token={Uri.EscapeDataString(token)}");
        mine.Status.ShouldBe(200, mine.Body);
        Envelopes(mine.Body).Single().Str("session_id").ShouldBe("mine");
        (await anonymous.ReadAsync("topics/session:theirs", $"?offset=-1&token={Uri.EscapeDataString(token)}")).Status.ShouldBe(403);
        (await anonymous.ReadAsync("topics/sessions", $"?offset=-1&token={Uri.EscapeDataString(token)}")).Status.ShouldBe(403);
        (await secured.Reader.ReadAsync("topics/sessions", "?offset=-1")).Status.ShouldBe(200, "a read key reads every topic");
    }

    private static List<JsonElement> Envelopes(string body) => [.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(e => e.Clone())];

    private static string StreamOffset(long seq) => Switchboard.Core.Streams.StreamOffset.Format(seq);
}

using Switchboard.Server.Streams;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.DurableStreams;

/// <summary>
/// Live reads wait on the stream watch, not on the database: a long-poll or SSE reader at the tail is woken by the
/// append, the close, the delete or the node stopping. Timeouts run on the injected clock.
/// </summary>
public sealed class StreamLiveTests
{
    [Fact]
    public async Task ALongPollAtTheTailAnswersWithTheNextAppend()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Streams.LongPollTimeout = TimeSpan.FromMinutes(5));
        var tail = (await server.Http.PutAsync("s", "old")).Header("Stream-Next-Offset");
        var poll = server.Http.ReadAsync("s", $"?offset={tail}&live=long-poll");
        await TestTimeouts.Eventually(() => server.Get<StreamWatch>().Waiters == 1, "the long-poll waits");

        var appended = await server.Http.AppendAsync("s", "new");
        var answer = await poll;
        (answer.Status, answer.Body, answer.Header("Stream-Up-To-Date")).ShouldBe((200, "new", "true"));
        answer.Header("Stream-Next-Offset").ShouldBe(appended.Header("Stream-Next-Offset"));
        answer.Header("Stream-Cursor").ShouldNotBeNull();
    }

    [Fact]
    public async Task ALongPollWithNothingNewAnswers204AtItsTimeoutOnTheInjectedClock()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(o => o.Streams.LongPollTimeout = TimeSpan.FromSeconds(30), time);
        var tail = (await server.Http.PutAsync("s")).Header("Stream-Next-Offset");
        var poll = server.Http.ReadAsync("s", $"?offset={tail}&live=long-poll");
        await TestTimeouts.Eventually(() => server.Get<StreamWatch>().Waiters == 1, "the long-poll waits");
        // The wait's timer is armed just after it registers: move the clock until the poll answers.
        await TestTimeouts.Eventually(() =>
        {
            time.Advance(TimeSpan.FromSeconds(10));
            return poll.IsCompleted;
        }, "the long-poll times out");

        var answer = await poll;
        (answer.Status, answer.Header("Stream-Next-Offset"), answer.Header("Stream-Up-To-Date")).ShouldBe((204, tail, "true"));
    }

    [Fact]
    public async Task AnSseReaderGetsEachAppendLiveAndTheCloseEndsIt()
    {
        await using var server = await SwitchboardServer.StartAsync();
        (await server.Http.PutAsync("s", "line one\n", "text/plain")).Status.ShouldBe(201);
        await using var sse = await SseReader.OpenAsync(server.Http, "/v1/stream/s?offset=-1&live=sse");
        sse.Response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        (await sse.NextEventAsync(r => r.Event == "data")).Data.ShouldBe("line one\n");
        (await sse.NextEventAsync(r => r.Event == "control")).Data.ShouldNotBeNull().ShouldContain("\"upToDate\":true");

        await server.Http.AppendAsync("s", " indented\r\nevent: control");
        (await sse.NextEventAsync(r => r.Event == "data")).Data.ShouldBe(" indented\nevent: control", "lines are data, whatever they say");
        await sse.NextEventAsync(r => r.Event == "control");

        await server.Http.AppendAsync("s", "last", "text/plain", ("Stream-Closed", "true"));
        (await sse.NextEventAsync(r => r.Event == "data")).Data.ShouldBe("last");
        var control = (await sse.NextEventAsync(r => r.Event == "control")).Data.ShouldNotBeNull();
        control.ShouldContain("\"streamClosed\":true");
        control.ShouldNotContain("streamCursor");
        await sse.Ended.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task DeletingAStreamAndStoppingTheNodeEndLiveReads()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Streams.LongPollTimeout = TimeSpan.FromMinutes(5));
        var tail = (await server.Http.PutAsync("doomed")).Header("Stream-Next-Offset");
        await server.Http.PutAsync("kept");
        var deleted = server.Http.ReadAsync("doomed", $"?offset={tail}&live=long-poll");
        await using var sse = await SseReader.OpenAsync(server.Http, "/v1/stream/kept?offset=now&live=sse");
        await sse.NextEventAsync(r => r.Event == "control");
        var polling = server.Http.ReadAsync("kept", "?offset=now&live=long-poll");
        await TestTimeouts.Eventually(() => server.Get<StreamWatch>().Waiters == 3, "three live reads wait");

        (await server.Http.DeleteStreamAsync("doomed")).Status.ShouldBe(204);
        (await deleted).Status.ShouldBe(404);

        await server.StopAsync();
        (await polling).Status.ShouldBe(204, "a stopping node answers its long-polls at once");
        await sse.Ended.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task AReadRenewsATtlAndAHeadDoesNot()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(time: time);
        (await server.Http.PutAsync("read", "x", "text/plain", ("Stream-TTL", "2"))).Status.ShouldBe(201);
        (await server.Http.PutAsync("head", "x", "text/plain", ("Stream-TTL", "2"))).Status.ShouldBe(201);
        time.Advance(TimeSpan.FromMilliseconds(1500));
        (await server.Http.ReadAsync("read")).Status.ShouldBe(200);
        (await server.Http.HeadAsync("head")).Status.ShouldBe(200);
        time.Advance(TimeSpan.FromMilliseconds(1000));

        (await server.Http.HeadAsync("read")).Status.ShouldBe(200);
        (await server.Http.HeadAsync("head")).Status.ShouldBe(404);
        (await server.Http.ReadAsync("head")).Status.ShouldBe(404);
        time.Advance(TimeSpan.FromSeconds(2));
        (await server.Http.HeadAsync("read")).Status.ShouldBe(404);
    }
}

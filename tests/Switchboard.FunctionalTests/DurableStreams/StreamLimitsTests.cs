using System.Net.Http.Headers;
using Switchboard.FunctionalTests.Security;
using Switchboard.Server.Streams;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.DurableStreams;

/// <summary>Every limit answers in the protocol's status codes with a problem saying which limit, and a refused request appends nothing.</summary>
public sealed class StreamLimitsTests
{
    [Fact]
    public async Task AnAppendOverItsLimitIs413WithTheLimitAndAppendsNothing()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Streams.MaxAppendBytes = 1024);
        (await server.Http.PutAsync("s", "start")).Status.ShouldBe(201);

        var sized = await server.Http.AppendAsync("s", new string('x', 1025));
        sized.Status.ShouldBe(413);
        sized.Body.ShouldContain("1024 bytes");
        sized.Body.ShouldContain("Switchboard:Streams:MaxAppendBytes");

        // The same without a length: a chunked body is cut off at the limit just the same.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/stream/s")
        {
            Content = new StreamContent(new ChunkedBody(2048)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        request.Headers.TransferEncodingChunked = true;
        using var chunked = await server.Http.SendAsync(request).WaitAsync(TestTimeouts.Default);
        ((int)chunked.StatusCode).ShouldBe(413);

        (await server.Http.PutAsync("big", new string('y', 2000))).Status.ShouldBe(413);
        (await server.Http.HeadAsync("big")).Status.ShouldBe(404, "a refused create creates nothing");
        (await server.Http.AppendAsync("s", new string('z', 1024))).Status.ShouldBe(204, "the limit itself is allowed");
        (await server.Http.ReadAsync("s")).Body.ShouldBe("start" + new string('z', 1024));
    }

    [Fact]
    public async Task PathsContentTypesAndHeadersAreBounded()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var longPath = await server.Http.PutAsync(new string('p', 513));
        longPath.Status.ShouldBe(400);
        longPath.Body.ShouldContain("the most is 512");
        (await server.Http.PutAsync("a//b")).Status.ShouldBe(400);
        (await server.Http.PutAsync("a%20b")).Status.ShouldBe(400);
        (await server.Http.PutAsync("s", null, "text/plain; x=" + new string('v', 300))).Status.ShouldBe(400);
        (await server.Http.PutAsync("s")).Status.ShouldBe(201);
        var seq = await server.Http.AppendAsync("s", "x", "text/plain", ("Stream-Seq", new string('9', 257)));
        seq.Status.ShouldBe(400);
        seq.Body.ShouldContain("Stream-Seq");
        (await server.Http.AppendAsync("s", "x", "text/plain", ("Producer-Id", new string('p', 257)), ("Producer-Epoch", "0"), ("Producer-Seq", "0")))
            .Status.ShouldBe(400);
        (await server.Http.ReadAsync("s")).Body.ShouldBe("");
    }

    [Fact]
    public async Task EachKeyHasABoundedNumberOfLiveStreams()
    {
        await using var secured = await Secured.StartAsync(o => o.Streams.MaxStreamsPerKey = 2);
        (await secured.Writer.PutAsync("a")).Status.ShouldBe(201);
        (await secured.Writer.PutAsync("b")).Status.ShouldBe(201);
        var third = await secured.Writer.PutAsync("c");
        third.Status.ShouldBe(429);
        third.Body.ShouldContain("MaxStreamsPerKey");
        (await secured.Writer.PutAsync("a")).Status.ShouldBe(200, "confirming an existing stream is no new one");
        (await secured.Writer.DeleteStreamAsync("a")).Status.ShouldBe(204);
        (await secured.Writer.PutAsync("c")).Status.ShouldBe(201);
    }

    [Fact]
    public async Task LiveReadsWaitingAtOnceAreBounded()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Streams.MaxLiveReaders = 1;
            o.Streams.LongPollTimeout = TimeSpan.FromMinutes(5);
        });
        var tail = (await server.Http.PutAsync("s")).Header("Stream-Next-Offset");
        var waiting = server.Http.ReadAsync("s", $"?offset={tail}&live=long-poll");
        var watch = server.Get<StreamWatch>();
        await TestTimeouts.Eventually(() => watch.Waiters == 1, "the long-poll waits");

        var refused = await server.Http.ReadAsync("s", $"?offset={tail}&live=long-poll");
        refused.Status.ShouldBe(503);
        refused.Body.ShouldContain("MaxLiveReaders");
        (await server.Http.ReadAsync("s", $"?offset={tail}&live=sse")).Status.ShouldBe(503);
        (await server.Http.ReadAsync("s")).Status.ShouldBe(200, "catch-up reads are not live reads");

        (await server.Http.AppendAsync("s", "wake")).Status.ShouldBe(204);
        (await waiting).Body.ShouldBe("wake");
    }

    /// <summary>A body of <paramref name="length"/> bytes with no known length, so it goes out chunked.</summary>
    private sealed class ChunkedBody(int length) : MemoryStream(new byte[length])
    {
        public override bool CanSeek => false;
    }
}

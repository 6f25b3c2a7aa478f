using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Switchboard.Core.Diagnostics;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Diagnostics;

/// <summary>
/// The "Switchboard" ActivitySource on a real server: a write continues the caller's W3C trace (request → write →
/// commit), and a channel join has a span of its own. The listener is process-wide, so each test keeps only the spans
/// of its own trace or topic.
/// </summary>
public sealed class TracingTests
{
    [Fact]
    public async Task AWriteWithATraceparentContinuesItsTraceThroughTheCommit()
    {
        using var spans = new SpanRecorder();
        await using var server = await SwitchboardServer.StartAsync();
        var traceId = ActivityTraceId.CreateRandom();
        var remoteSpan = ActivitySpanId.CreateRandom();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sessions")
        {
            Content = new StringContent("""{"id":"traced","state":"working"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{remoteSpan}-01");
        using var response = await server.Http.SendAsync(request);
        ((int)response.StatusCode).ShouldBe(201);

        var write = await spans.WaitForAsync(a => a.OperationName == SwitchboardTracing.Write && a.TraceId == traceId);
        var commit = await spans.WaitForAsync(a => a.OperationName == SwitchboardTracing.Commit && a.TraceId == traceId);

        // The remote caller's span is the parent of the request's span (ASP.NET Core's hosting activity), whose child is
        // the write; the commit is the write's child.
        write.Parent.ShouldNotBeNull("the write runs inside the HTTP request's span");
        write.Parent!.ParentSpanId.ShouldBe(remoteSpan);
        write.Parent.HasRemoteParent.ShouldBeTrue();
        commit.ParentSpanId.ShouldBe(write.SpanId);

        write.Kind.ShouldBe(ActivityKind.Internal);
        write.GetTagItem("switchboard.write.count").ShouldBe(1);
        write.GetTagItem("switchboard.write.kind").ShouldBe("CreateSession");
        write.GetTagItem("switchboard.session.id").ShouldBe("traced");
        write.GetTagItem("switchboard.write.refused").ShouldBe(0);
        write.Events.Select(e => e.Name).ShouldContain("validated");
        commit.GetTagItem("switchboard.commit.writes").ShouldBe(1);
        commit.GetTagItem("switchboard.commit.appended").ShouldBe(1);
        ((long)commit.GetTagItem("switchboard.commit.last_seq")!).ShouldBeGreaterThan(0);
        commit.Status.ShouldNotBe(ActivityStatusCode.Error);
    }

    [Fact]
    public async Task TheFanoutOfATracedWriteIsLinkedToItsCommit()
    {
        using var spans = new SpanRecorder();
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("watched");
        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await client.JoinAsync("session:watched")).Status.ShouldBe("ok");
        var traceId = ActivityTraceId.CreateRandom();

        using var request = new HttpRequestMessage(HttpMethod.Patch, "/api/sessions/watched")
        {
            Content = new StringContent("""{"state":"working"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await server.Http.SendAsync(request);
        ((int)response.StatusCode).ShouldBe(200);
        await client.WaitForAsync(f => f.Topic == "session:watched" && f.Event == "session_updated");

        var commit = await spans.WaitForAsync(a => a.OperationName == SwitchboardTracing.Commit && a.TraceId == traceId);
        var fanout = await spans.WaitForAsync(a => a.OperationName == SwitchboardTracing.Fanout && a.Links.Any(l => l.Context.SpanId == commit.SpanId));
        fanout.Links.Single().Context.TraceId.ShouldBe(traceId);
        fanout.TraceId.ShouldNotBe(traceId, "the loop's work is a trace of its own, linked to the commit");
        fanout.GetTagItem("switchboard.fanout.events").ShouldBe(1);
        ((int)fanout.GetTagItem("switchboard.fanout.deliveries")!).ShouldBeGreaterThanOrEqualTo(1);
        fanout.GetTagItem("switchboard.fanout.last_seq").ShouldBe(commit.GetTagItem("switchboard.commit.last_seq"));
    }

    [Fact]
    public async Task ARefusedWriteIsTracedAsRefusedWithoutACommit()
    {
        using var spans = new SpanRecorder();
        await using var server = await SwitchboardServer.StartAsync();
        var traceId = ActivityTraceId.CreateRandom();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sessions/missing/heartbeat");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await server.Http.SendAsync(request);
        ((int)response.StatusCode).ShouldBe(404);

        var write = await spans.WaitForAsync(a => a.OperationName == SwitchboardTracing.Write && a.TraceId == traceId);
        write.GetTagItem("switchboard.write.kind").ShouldBe("Heartbeat");
        write.GetTagItem("switchboard.write.refused").ShouldBe(1);
    }

    [Fact]
    public async Task AChannelJoinHasASpanWithItsTopicAndReply()
    {
        using var spans = new SpanRecorder();
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("joined");
        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);

        var ok = await client.JoinAsync("session:joined");
        ok.Status.ShouldBe("ok");
        var refused = await client.JoinAsync("nowhere:1");
        refused.Status.ShouldBe("error");

        var join = await spans.WaitForAsync(a => a.OperationName == SwitchboardTracing.Join && Equals(a.GetTagItem("switchboard.topic"), "session:joined"));
        join.Kind.ShouldBe(ActivityKind.Server);
        join.ParentSpanId.ShouldBe(default, "a join starts a trace of its own");
        join.GetTagItem("switchboard.join.status").ShouldBe("ok");

        var unmatched = await spans.WaitForAsync(a => a.OperationName == SwitchboardTracing.Join && Equals(a.GetTagItem("switchboard.topic"), "nowhere:1"));
        unmatched.GetTagItem("switchboard.join.status").ShouldBe("error");
        unmatched.GetTagItem("switchboard.join.reason").ShouldBe("unmatched topic");
    }

    /// <summary>Every stopped span of the "Switchboard" and ASP.NET Core sources, recorded and sampled in.</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly SemaphoreSlim _signal = new(0);
        private readonly ActivityListener _listener;

        public SpanRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name is SwitchboardTracing.SourceName or "Microsoft.AspNetCore",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a =>
                {
                    _stopped.Enqueue(a);
                    _signal.Release();
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public async Task<Activity> WaitForAsync(Func<Activity, bool> match)
        {
            var deadline = DateTime.UtcNow + TestTimeouts.Default;
            while (true)
            {
                if (_stopped.FirstOrDefault(match) is { } found)
                {
                    return found;
                }

                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !await _signal.WaitAsync(left))
                {
                    throw new TimeoutException("No such span was stopped; spans seen: " +
                        string.Join(", ", _stopped.Select(a => a.OperationName).Distinct()));
                }
            }
        }

        public void Dispose()
        {
            _listener.Dispose();
            _signal.Dispose();
        }
    }
}

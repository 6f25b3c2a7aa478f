using System.IO.Compression;
using System.Net;
using System.Text;
using Switchboard.FunctionalTests.LiveCore;
using Switchboard.Server.Otlp;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>
/// The answers a healthy server under light load never gives, provoked for real and checked against the document:
/// <c>/readyz</c> when the log moved under the node, OTLP/HTTP past its body limit and its concurrency cap, a hook past its body limit.
/// </summary>
public sealed partial class OpenApiConformanceTests
{
    [Fact]
    public async Task ReadinessWhileTheLogMovedUnderTheNodeMatchesTheDocument()
    {
        await Call(HttpMethod.Post, "/api/sessions", """{"id":"oa-moved"}""", 201);

        // Another writer appends an event behind the node's back: the node's next write finds it.
        await LogHeadMovedTests.MoveTheLogUnderTheNodeAsync(_server);

        await Call(HttpMethod.Patch, "/api/sessions/oa-moved", """{"state":"working"}""", 503);
        _exchanges[^1].Response!.Value.Str("detail").ShouldContain("moved under this node");
        await Call(HttpMethod.Get, "/readyz", null, 503);
        var notReady = _exchanges[^1];
        notReady.ContentType.ShouldBe("application/json", "a probe's answer is the report either way, not a problem");
        notReady.Response!.Value.Str("status").ShouldContain("moved under this node");

        // It recovers by itself once a write finds the reloaded head; only the document is checked here.
        await TestTimeouts.Eventually(async () => (await _http.PatchAsync("/api/sessions/oa-moved", new { state = "working" })).Status == 200,
            "a write succeeds after the reload");
        await TestTimeouts.Eventually(async () => (await _http.GetAsync("/readyz")).IsSuccessStatusCode, "ready again");
        await Call(HttpMethod.Get, "/readyz", null, 200);

        CheckExchanges();
    }

    [Fact]
    public async Task OtlpAndHooksPastTheirBodyLimitsAndOtlpPastItsConcurrencyCapMatchTheDocument()
    {
        const int limit = 1024;
        await using var otlp = await SwitchboardServer.StartAsync(o =>
        {
            o.Otlp.MaxBodyBytes = limit;
            o.Hooks.MaxBodyBytes = limit;
            o.Otlp.MaxConcurrentRequests = 1;
        });
        using var http = new HttpClient { BaseAddress = otlp.BaseAddress, Timeout = TestTimeouts.Default };
        var large = $$"""{"resourceLogs":[],"padding":"{{new string('x', 2 * limit)}}"}""";

        // Too large as sent, and too large only once gzip is undone (a few bytes on the wire).
        var plain = await Send(new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = new StringContent(large, Encoding.UTF8, "application/json") }, 413, http: http);
        ShouldSayWhatAndHow(plain, "body_too_large", "Switchboard:Otlp:MaxBodyBytes");
        var compressed = Gzip(large);
        compressed.Length.ShouldBeLessThan(limit);
        var inflated = new ByteArrayContent(compressed);
        inflated.Headers.ContentType = new("application/json");
        inflated.Headers.ContentEncoding.Add("gzip");
        var gzipped = await Send(new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = inflated }, 413, http: http);
        ShouldSayWhatAndHow(gzipped, "body_too_large", "after gzip");

        // A hook's body past its own limit (a tool's whole output rides in PostToolUse).
        var hook = $$"""{"hook_event_name":"PostToolUse","session_id":"oa-big","tool_response":"{{new string('x', 2 * limit)}}"}""";
        var tooLarge = await Send(new HttpRequestMessage(HttpMethod.Post, "/hooks/claude-code") { Content = new StringContent(hook, Encoding.UTF8, "application/json") }, 413, http: http);
        ShouldSayWhatAndHow(tooLarge, "body_too_large", "Switchboard:Hooks:MaxBodyBytes");

        // One export holds the node's one slot while its body is still arriving; the next is refused at once.
        var slots = otlp.Get<OtlpRequestGate>();
        var held = new HeldContent(Encoding.UTF8.GetBytes("""{"resourceLogs":[]}"""));
        using var holder = new HttpClient { BaseAddress = otlp.BaseAddress, Timeout = TestTimeouts.Default };
        var first = holder.PostAsync("/v1/logs", held);
        await TestTimeouts.Eventually(() => slots.InFlight == 1, "the held export to take the slot");
        var refused = await Send(new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = new StringContent("{}", Encoding.UTF8, "application/json") }, 503, http: http);
        ShouldSayWhatAndHow(refused, "overloaded", "Switchboard:Otlp:MaxConcurrentRequests");
        refused.ResponseHeaders.ShouldContain("Retry-After");

        held.Release();
        using (var answer = await first)
        {
            answer.StatusCode.ShouldBe(HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
        }

        await Send(new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = new StringContent("{}", Encoding.UTF8, "application/json") }, 200, http: http);

        CheckExchanges();
    }

    /// <summary>An RFC 9457 answer that names what was wrong (its code) and how to fix it (the setting or the cause).</summary>
    private static void ShouldSayWhatAndHow(Exchange exchange, string code, string fix)
    {
        exchange.ContentType.ShouldBe("application/problem+json");
        var problem = exchange.Response!.Value;
        problem.Str("code").ShouldBe(code);
        problem.Long("status").ShouldBe(exchange.Status);
        problem.Str("detail").ShouldContain(fix);
    }

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    /// <summary>A JSON body whose first byte goes out at once and the rest only after <see cref="Release"/>.</summary>
    private sealed class HeldContent : HttpContent
    {
        private readonly byte[] _body;
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HeldContent(byte[] body)
        {
            _body = body;
            Headers.ContentType = new("application/json");
        }

        public void Release() => _released.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_body.AsMemory(0, 1));
            await stream.FlushAsync();
            await _released.Task.WaitAsync(TestTimeouts.Default);
            await stream.WriteAsync(_body.AsMemory(1));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _body.Length;
            return true;
        }
    }
}

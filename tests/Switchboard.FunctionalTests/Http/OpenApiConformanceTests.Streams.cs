using System.Net.Http.Headers;
using System.Text;

namespace Switchboard.FunctionalTests.Http;

/// <summary>Durable Streams against the document: each method, its headers, and the protocol's refusals.</summary>
public sealed partial class OpenApiConformanceTests
{
    [Fact]
    public async Task DurableStreamCallsMatchTheDocument()
    {
        var path = $"/v1/stream/oa/{Guid.NewGuid():N}";
        await Send(Stream(HttpMethod.Options, path, null, null), 204);
        await Send(Stream(HttpMethod.Put, path, "[1]", "application/json", ("Stream-TTL", "3600")), 201);
        await Send(Stream(HttpMethod.Put, path, null, "application/json", ("Stream-TTL", "3600")), 200);
        await Send(Stream(HttpMethod.Put, path, null, "text/plain"), 409);
        await Send(Stream(HttpMethod.Put, path + "-both", null, "text/plain", ("Stream-TTL", "1"), ("Stream-Expires-At", "2099-01-01T00:00:00Z")), 400);
        await Send(Stream(HttpMethod.Post, path, "[2,3]", "application/json", ("Stream-Seq", "a")), 204);
        await Send(Stream(HttpMethod.Post, path, "[4]", "application/json", ("Producer-Id", "p1"), ("Producer-Epoch", "0"), ("Producer-Seq", "0")), 200);
        await Send(Stream(HttpMethod.Post, path, "[5]", "application/json", ("Producer-Id", "p1"), ("Producer-Epoch", "0"), ("Producer-Seq", "5")), 409);
        await Send(Stream(HttpMethod.Post, path, "", null), 400);

        var read = await Send(Stream(HttpMethod.Get, path + "?offset=-1", null, null), 200);
        read.ResponseHeaders.ShouldContain("ETag");
        var again = Stream(HttpMethod.Get, path + "?offset=-1", null, null);
        again.Headers.TryAddWithoutValidation("If-None-Match", (await _http.GetAsync(path + "?offset=-1")).Headers.ETag!.Tag);
        await Send(again, 304);
        await Send(Stream(HttpMethod.Get, path + "?offset=now", null, null), 200);
        await Send(Stream(HttpMethod.Get, path + "?offset=now&live=sse", null, null), 200);
        await Send(Stream(HttpMethod.Get, path + "?live=long-poll", null, null), 400);
        await Send(Stream(HttpMethod.Head, path, null, null), 200);

        var bytes = path + "-bytes";
        await Send(Stream(HttpMethod.Put, bytes, "abc", "text/plain"), 201);
        await Send(Stream(HttpMethod.Get, bytes + "?offset=-1", null, null), 200);
        await Send(Stream(HttpMethod.Post, bytes, null, null, ("Stream-Closed", "true")), 204);
        await Send(Stream(HttpMethod.Get, bytes + "?offset=now&live=long-poll", null, null), 204);
        await Send(Stream(HttpMethod.Post, bytes, "d", "text/plain"), 409);
        await Send(Stream(HttpMethod.Delete, bytes, null, null), 204);
        await Send(Stream(HttpMethod.Get, bytes + "?offset=-1", null, null), 404);
        await Send(Stream(HttpMethod.Head, bytes, null, null), 404);
        await Send(Stream(HttpMethod.Get, path + "-none", null, null), 404);
        await Send(Stream(HttpMethod.Head, path + "-none", null, null), 404);
        await Send(Stream(HttpMethod.Delete, path + "-none", null, null), 404);

        // The event log's topics: read-only JSON streams of event envelopes, and a session's own streams.
        await Call(HttpMethod.Post, "/api/sessions", """{"id":"oa-topic","labels":{"team":"core"}}""", 201);
        await Send(Stream(HttpMethod.Get, "/v1/stream/topics/sessions?offset=-1&label=team=core", null, null), 200);
        await Send(Stream(HttpMethod.Get, "/v1/stream/topics/session:oa-topic?offset=-1&subtree=true", null, null), 200);
        await Send(Stream(HttpMethod.Get, "/v1/stream/topics/sessions?offset=now&live=sse", null, null), 200);
        await Send(Stream(HttpMethod.Head, "/v1/stream/topics/sessions", null, null), 200);
        await Send(Stream(HttpMethod.Get, "/v1/stream/topics/summary", null, null), 404);
        await Send(Stream(HttpMethod.Post, "/v1/stream/topics/sessions", "[1]", "application/json"), 405);
        await Send(Stream(HttpMethod.Put, "/v1/stream/sessions/oa-topic/out", "x", "text/plain"), 201);
        await Send(Stream(HttpMethod.Get, "/v1/stream/sessions/oa-topic/out?offset=-1", null, null), 200);
        await Send(Stream(HttpMethod.Head, "/v1/stream/sessions/oa-topic/out", null, null), 200);
        await Send(Stream(HttpMethod.Put, "/v1/stream/sessions/oa-none/out", "x", "text/plain"), 404);

        CheckExchanges();
    }

    private static HttpRequestMessage Stream(HttpMethod method, string path, string? body, string? contentType, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null || contentType is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body ?? ""));
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}

using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>
/// The HTTP rows of the hostile-input table: lone surrogate escapes, token counts at the edge of 64 bits, metadata
/// counted in UTF-8 bytes, unknown paths and methods, broken chunked framing. Each gets its documented problem, changes
/// nothing, and leaves nothing in the log above Information.
/// </summary>
public sealed class HostileHttpTests : IAsyncLifetime
{
    private SwitchboardServer _server = null!;
    private HttpClient Http => _server.Http;

    public async ValueTask InitializeAsync() => _server = await SwitchboardServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        _server.Logs.Entries.Where(e => e.Level > LogLevel.Information).ShouldBeEmpty(_server.Logs.Dump());
        await _server.DisposeAsync();
    }

    private async Task<long> HeadAsync() => (await Http.GetJsonAsync("/api/events?since=0&limit=1")).Body.Long("head_seq");

    [Theory]
    [InlineData("""{"name":"\ud800"}""", "name")]
    [InlineData("""{"name":"ok","error_message":"\udc00"}""", "error_message")]
    [InlineData("""{"labels":{"team":"\udc00\ud800"}}""", "labels.team")]
    [InlineData("""{"metadata":{"deep":[1,{"x":"a\ud83d"}]}}""", "metadata.deep[1].x")]
    [InlineData("""{"x\udc00":1}""", null)]
    [InlineData("""{"labels":{"k\ud800":"v"}}""", "labels")]
    public async Task ALoneSurrogateIs400MalformedJsonNamingTheField(string body, string? field)
    {
        var head = await HeadAsync();
        var answer = await Http.PostAsync("/api/sessions", body);
        answer.ShouldBeProblem(400);
        answer.Body.Str("code").ShouldBe("malformed_json");
        if (field is null)
        {
            answer.Body.TryGetProperty("field", out _).ShouldBeFalse();
            answer.Body.Str("detail").ShouldStartWith("A field name");
        }
        else
        {
            answer.Body.Str("field").ShouldBe(field);
        }

        (await HeadAsync()).ShouldBe(head);
        (await Http.PostAsync("/api/sessions", """{"id":"pair","name":"\ud83d\ude00"}""")).Status.ShouldBe(201, "a proper pair is text");
    }

    [Fact]
    public async Task InABatchOnlyTheOperationWithALoneSurrogateFails()
    {
        var answer = await Http.PostAsync("/api/batch",
            """{"operations":[{"op":"create","id":"good"},{"op":"create","id":"bad","name":"\ud800"},{"op":"update","id":"good","state":"idle"}]}""");
        answer.Status.ShouldBe(200);
        var results = answer.Body.GetProperty("results").EnumerateArray().ToList();
        results.Select(r => r.Long("status")).ShouldBe([201L, 400L, 200L]);
        results[1].GetProperty("problem").Str("field").ShouldBe("operations[1].name");
        (await Http.GetJsonAsync("/api/sessions/bad")).Status.ShouldBe(404);

        var whole = await Http.PostAsync("/api/batch", """{"operations":[{"op":"create","id":"x"}],"\ud800":1}""");
        whole.ShouldBeProblem(400);
    }

    [Fact]
    public async Task TokenCountsThatWouldOverflowAreRefusedAndFleetTotalsNeverWrap()
    {
        var head = await HeadAsync();
        (await Http.PostAsync("/api/sessions", new { id = "max", input_tokens = long.MaxValue, output_tokens = 1 })).ShouldBeProblem(400, "output_tokens");
        (await HeadAsync()).ShouldBe(head);

        await Http.CreateAsync("a", new { input_tokens = 5_000_000_000_000_000_000L });
        await Http.CreateAsync("b", new { input_tokens = 5_000_000_000_000_000_000L });
        (await Http.PostAsync("/api/sessions/a/usage", new { input_tokens = long.MaxValue })).ShouldBeProblem(400, "input_tokens");
        var summary = (await Http.GetJsonAsync("/api/summary")).Body;
        summary.Long("input_tokens").ShouldBe(long.MaxValue, "the sum is past 2^63: it saturates, it never goes negative");
        summary.Long("total_tokens").ShouldBe(long.MaxValue);
    }

    [Theory]
    [InlineData(9_007_199_254_740_993L, 0L)] // 2^53 + 1: a double would make it ...992
    [InlineData(9_007_199_254_740_993L, long.MaxValue - 7)] // a sum past 2^63
    public async Task SummaryTotalsAreIdenticalAfterARestart(long first, long second)
    {
        using var dir = new TempDirectory();
        string Totals(System.Text.Json.JsonElement s) => $"{s.Long("as_of_seq")} {s.Long("input_tokens")} {s.Long("output_tokens")} {s.Long("total_tokens")}";
        string before;
        await using (var server = await SwitchboardServer.StartAsync(dataDirectory: dir.Path))
        {
            await server.Http.CreateAsync("first", new { input_tokens = first, output_tokens = 3 });
            await server.Http.CreateAsync("second", new { input_tokens = second });
            before = Totals((await server.Http.GetJsonAsync("/api/summary")).Body);
        }

        await using var restarted = await SwitchboardServer.StartAsync(dataDirectory: dir.Path);
        Totals((await restarted.Http.GetJsonAsync("/api/summary")).Body).ShouldBe(before, "the store's sums equal the live ones");
    }

    [Fact]
    public async Task MetadataIsCountedInUnescapedUtf8Bytes()
    {
        var atLimit = new string('é', 8188); // 16,376 bytes, plus {"k":""} = 16,384
        (await Http.PostAsync("/api/sessions", "{\"id\":\"m\",\"metadata\":{\"k\":\"" + atLimit + "\"}}")).Status.ShouldBe(201);
        var stored = (await Http.GetJsonAsync("/api/sessions/m")).Body.GetProperty("metadata").GetProperty("k").GetString();
        stored.ShouldBe(atLimit);
        var over = await Http.PostAsync("/api/sessions", "{\"id\":\"m2\",\"metadata\":{\"k\":\"" + atLimit + "é\"}}");
        over.ShouldBeProblem(400, "metadata");
        over.Body.Str("detail").ShouldContain("16386 bytes");
    }

    [Fact]
    public async Task UnknownPathsAndMethodsUnderApiAreProblems()
    {
        var missing = await Http.GetJsonAsync("/api/nope");
        missing.ShouldBeProblem(404);
        missing.Body.Str("code").ShouldBe("not_found");

        var delete = await Http.SendAsync(HttpMethod.Delete, "/api/sessions/x");
        delete.ShouldBeProblem(405);
        delete.Response.Content.Headers.Allow.ShouldBe(["GET", "PATCH"], ignoreOrder: true);
        (await Http.SendAsync(HttpMethod.Put, "/api/sessions")).ShouldBeProblem(405);
        (await Http.GetJsonAsync("/api/sessions/x/usage")).ShouldBeProblem(405);
    }

    [Fact]
    public async Task BrokenChunkedFramingIs400AndAnOversizedChunkedBodyIs413()
    {
        var bad = await RawHttp.SendAsync(_server.BaseAddress,
            "POST /api/sessions HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nab\r\n0\r\n\r\n", TimeSpan.FromSeconds(10));
        bad.Status.ShouldBe(400, bad.Text);
        bad.Text.ShouldContain("application/problem+json");

        var body = Encoding.ASCII.GetBytes("{\"name\":\"" + new string('a', 1 << 20) + "\"}");
        var chunked = new MemoryStream();
        chunked.Write("POST /api/sessions HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"u8);
        foreach (var piece in body.Chunk(65536))
        {
            chunked.Write(Encoding.ASCII.GetBytes($"{piece.Length:x}\r\n"));
            chunked.Write(piece);
            chunked.Write("\r\n"u8);
        }

        chunked.Write("0\r\n\r\n"u8);
        var large = await RawHttp.SendAsync(_server.BaseAddress, chunked.ToArray(), TimeSpan.FromSeconds(10));
        large.Status.ShouldBe(413, large.Text[..Math.Min(200, large.Text.Length)]);
        (await Http.GetJsonAsync("/api/sessions/count")).Body.Long("total_sessions").ShouldBe(0);
    }
}

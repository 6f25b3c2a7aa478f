using Switchboard.FunctionalTests.Security;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.DurableStreams;

/// <summary>
/// Streams sit behind the API's access checks: write keys create, append, close and delete; read keys read; pages on an
/// allowed origin get the CORS headers they need and pages elsewhere are refused before anything changes.
/// </summary>
public sealed class StreamAccessTests
{
    [Fact]
    public async Task WriteKeysCreateAppendAndDeleteAndReadKeysOnlyRead()
    {
        await using var secured = await Secured.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = secured.Server.BaseAddress };

        (await anonymous.PutAsync("runs/1/output")).Status.ShouldBe(401);
        (await secured.Reader.PutAsync("runs/1/output")).Status.ShouldBe(403);
        (await secured.Writer.PutAsync("runs/1/output", "hello")).Status.ShouldBe(201);
        (await secured.Writer.AppendAsync("runs/1/output", " world")).Status.ShouldBe(204);

        (await secured.Reader.AppendAsync("runs/1/output", "!")).Status.ShouldBe(403);
        (await secured.Reader.AppendAsync("runs/1/output", null, null, ("Stream-Closed", "true"))).Status.ShouldBe(403);
        (await secured.Reader.DeleteStreamAsync("runs/1/output")).Status.ShouldBe(403);
        (await anonymous.ReadAsync("runs/1/output")).Status.ShouldBe(401);

        var read = await secured.Reader.ReadAsync("runs/1/output");
        (read.Status, read.Body).ShouldBe((200, "hello world"), "refused requests appended nothing");
        var head = await secured.Reader.HeadAsync("runs/1/output");
        (head.Status, head.Header("Stream-Closed")).ShouldBe((200, null));
        (await secured.Writer.DeleteStreamAsync("runs/1/output")).Status.ShouldBe(204);
        (await secured.Reader.ReadAsync("runs/1/output")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task APageOnAnAllowedOriginReadsTheProtocolsHeadersAndAForeignPageIsRefused()
    {
        await using var secured = await Secured.StartAsync(o => o.Security.AllowedOrigins.Add("https://app.example"));
        (await secured.Writer.PutAsync("s", "data")).Status.ShouldBe(201);

        var allowed = await secured.Reader.ReadAsync("s", "", ("Origin", "https://app.example"));
        allowed.Status.ShouldBe(200);
        allowed.Header("Access-Control-Allow-Origin").ShouldBe("https://app.example");
        allowed.Header("Access-Control-Expose-Headers").ShouldNotBeNull().ShouldContain("Stream-Next-Offset");

        // A preflight carries no key; it is answered for an allowed origin only.
        using var anonymous = new HttpClient { BaseAddress = secured.Server.BaseAddress };
        var preflight = await StreamHttp.SendAsync(anonymous, HttpMethod.Options, "s", null, null,
            [("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "if-none-match, producer-id")]);
        preflight.Status.ShouldBe(204);
        preflight.Header("Access-Control-Allow-Headers").ShouldNotBeNull().ShouldContain("If-None-Match");
        preflight.Header("Access-Control-Allow-Methods").ShouldNotBeNull().ShouldContain("POST");

        var foreignPreflight = await StreamHttp.SendAsync(anonymous, HttpMethod.Options, "s", null, null,
            [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "PUT")]);
        foreignPreflight.Status.ShouldBe(403);
        foreignPreflight.Header("Access-Control-Allow-Origin").ShouldBeNull();
        var foreign = await secured.Writer.PutAsync("planted", "x", "text/plain", ("Origin", "https://evil.example"));
        foreign.Status.ShouldBe(403);
        foreign.Body.ShouldContain("origin_not_allowed");
        foreign.Header("X-Content-Type-Options").ShouldBe("nosniff", "refusals carry the browser headers too");
        (await secured.Reader.HeadAsync("planted")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task StreamsStayOnTheMainListenerWhenOtlpIsOff()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Otlp.Enabled = false);
        (await server.Http.PutAsync("s", "kept")).Status.ShouldBe(201);
        (await server.Http.ReadAsync("s")).Body.ShouldBe("kept");
    }
}

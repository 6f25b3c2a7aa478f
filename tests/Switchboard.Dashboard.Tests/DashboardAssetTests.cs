using System.Net;
using System.Net.Http.Headers;
using Switchboard.Testing;

namespace Switchboard.Dashboard.Tests;

/// <summary>How the server serves the dashboard's files: from the assembly, cacheable by ETag, locked down by CSP.</summary>
public sealed class DashboardAssetTests
{
    [Fact]
    public async Task PageIsServedAtTheRootWithAContentSecurityPolicy()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var response = await server.Http.GetAsync("/");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldContain("script-src 'self'");
        csp.ShouldContain("connect-src 'self'");
        (await response.Content.ReadAsStringAsync()).ShouldContain("dashboard/js/main.js");
    }

    [Fact]
    public async Task AssetsRevalidateByETagAndCompress()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var first = await server.Http.GetAsync("/dashboard/js/main.js");
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        first.Content.Headers.ContentType!.MediaType.ShouldBe("text/javascript");
        first.Headers.CacheControl!.NoCache.ShouldBeTrue();
        var etag = first.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, "/dashboard/js/main.js");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await server.Http.SendAsync(again);
        notModified.StatusCode.ShouldBe(HttpStatusCode.NotModified);

        using var gzipped = new HttpRequestMessage(HttpMethod.Get, "/dashboard/css/base.css");
        gzipped.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var compressed = await server.Http.SendAsync(gzipped);
        compressed.Content.Headers.ContentEncoding.ShouldBe(["gzip"]);
    }

    [Fact]
    public async Task UnknownAssetsAre404()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var response = await server.Http.GetAsync("/dashboard/js/nope.js");
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}

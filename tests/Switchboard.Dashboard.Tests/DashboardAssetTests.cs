using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
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
    public async Task TheVendoredPhoenixJsIsTheUnmodifiedPinnedNpmRelease()
    {
        // The release tests/js/package.json pins, as `npm ci` installed it (tests/js/Npm.targets runs it before the build).
        var pinned = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.JsTests, "package.json")))
            .RootElement.GetProperty("dependencies").GetProperty("phoenix").GetString()!;
        var package = Path.Combine(RepoPaths.JsTests, "node_modules", "phoenix");
        File.Exists(Path.Combine(package, "package.json")).ShouldBeTrue("tests/js/node_modules/phoenix is missing: run `npm ci` in tests/js");
        JsonDocument.Parse(File.ReadAllText(Path.Combine(package, "package.json"))).RootElement.GetProperty("version").GetString().ShouldBe(pinned);

        // What the server actually serves, byte for byte: the single-file ESM build and its licence.
        await using var server = await SwitchboardServer.StartAsync();
        using var module = await server.Http.GetAsync("/dashboard/vendor/phoenix/phoenix.mjs");
        module.StatusCode.ShouldBe(HttpStatusCode.OK);
        module.Content.Headers.ContentType!.MediaType.ShouldBe("text/javascript", "a module script needs a JavaScript MIME type");
        (await module.Content.ReadAsByteArrayAsync()).ShouldBe(await File.ReadAllBytesAsync(Path.Combine(package, "priv", "static", "phoenix.mjs")));
        using var licence = await server.Http.GetAsync("/dashboard/vendor/phoenix/LICENSE.md");
        licence.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await licence.Content.ReadAsByteArrayAsync()).ShouldBe(await File.ReadAllBytesAsync(Path.Combine(package, "LICENSE.md")));
    }

    [Fact]
    public async Task UnknownAssetsAre404WithAProblemThatSaysWhereThePageIs()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var response = await server.Http.GetAsync("/dashboard/js/nope.js");
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        problem.GetProperty("status").GetInt32().ShouldBe(404);
        problem.GetProperty("code").GetString().ShouldBe("dashboard_file_not_found");
        problem.GetProperty("detail").GetString()!.ShouldContain("js/nope.js");
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Switchboard.Server.Http;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Dashboard;

/// <summary>
/// Serves the live dashboard: the page at <c>{prefix}/</c> and its files under <c>{prefix}/dashboard/</c>.
/// The page finds the API and the socket relative to its own address, so it works under any prefix.
/// </summary>
internal static class DashboardEndpoints
{
    public const string IndexFile = "index.html";

    /// <summary>The page's policy: only its own scripts, styles and connections (WebSocket included, CSP level 3).</summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

    public static void Map(IEndpointRouteBuilder root)
    {
        // Order 1: an app that embeds Switchboard without a prefix keeps its own "/" (its endpoint wins
        // at the default order 0) instead of getting an ambiguous match.
        root.MapGet("/", ServeIndex).WithOrder(1).ExcludeFromDescription();
        root.MapGet("/dashboard/{**path}", (string? path, HttpContext http) => Serve(http, path ?? ""))
            .WithOrder(1).ExcludeFromDescription();
    }

    private static IResult ServeIndex(HttpContext http)
    {
        // The page loads its files by relative URL, so it must be addressed as a directory ("/sb/", not "/sb").
        var path = http.Request.Path.Value ?? "";
        if (!path.EndsWith('/'))
        {
            return Results.Redirect($"{http.Request.PathBase}{path}/{http.Request.QueryString}");
        }

        return Serve(http, IndexFile);
    }

    private static IResult Serve(HttpContext http, string path)
    {
        var asset = DashboardAssets.Instance.Find(path);
        if (asset is null)
        {
            return new ProblemResult(StatusCodes.Status404NotFound, "dashboard_file_not_found", "Not found",
                $"The dashboard has no file '{ApiFallback.Clip(path)}'. Open the dashboard's page, and it loads the files it needs.");
        }

        var headers = http.Response.Headers;
        headers.ETag = asset.ETag;
        // Revalidate every time: a new server version must never run against cached old scripts.
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.Vary = HeaderNames.AcceptEncoding;
        if (asset.Path == IndexFile)
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers["Referrer-Policy"] = "no-referrer";
        }

        if (http.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        if (asset.Gzip is { } gzip && AcceptsGzip(http.Request))
        {
            headers.ContentEncoding = "gzip";
            return Results.Bytes(gzip, asset.ContentType);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static bool AcceptsGzip(HttpRequest request)
    {
        foreach (var value in request.GetTypedHeaders().AcceptEncoding)
        {
            if (value.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && value.Quality is not 0)
            {
                return true;
            }
        }

        return false;
    }
}

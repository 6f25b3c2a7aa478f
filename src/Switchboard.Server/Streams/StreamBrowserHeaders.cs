using Microsoft.AspNetCore.Http;
using Switchboard.Server.Security;

namespace Switchboard.Server.Streams;

/// <summary>
/// What every stream response carries for browsers, refusals included (this filter runs before the access checks): no
/// MIME sniffing, an explicit cross-origin resource policy, and for a page on an allowed origin (docs/security.md) the
/// CORS headers that let it read the protocol's headers. A page on any other origin gets no CORS headers, and the access
/// filter answers it 403 before anything is read or changed.
/// </summary>
internal sealed class StreamBrowserHeaders(OriginPolicy origins) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Cross-Origin-Resource-Policy"] = "cross-origin";
        if (OriginPolicy.OriginOf(http.Request) is { } origin && origins.IsAllowed(origin, http.Request.Host))
        {
            headers.AccessControlAllowOrigin = origin;
            headers.Vary = "Origin";
            headers.AccessControlExposeHeaders = StreamHeaders.ExposedResponseHeaders;
        }

        return next(context);
    }

    /// <summary>
    /// A CORS preflight (or a plain OPTIONS): the methods and headers a page may use. It needs no key (browsers send none
    /// on a preflight), but a page on a foreign origin is refused before it gets here.
    /// </summary>
    public static IResult Preflight(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers.Allow = "GET, HEAD, PUT, POST, DELETE, OPTIONS";
        if (headers.AccessControlAllowOrigin.Count > 0)
        {
            headers.AccessControlAllowMethods = "GET, HEAD, PUT, POST, DELETE";
            headers.AccessControlAllowHeaders = StreamHeaders.AllowedRequestHeaders;
            headers.AccessControlMaxAge = "600";
        }

        return Results.NoContent();
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Http;

/// <summary>
/// Every request under <c>/api</c> that no endpoint takes gets problem+json too: 405 with <c>Allow</c> when the path
/// exists with other methods, else 404. Routing alone would answer both with an empty body.
/// </summary>
internal static class ApiFallback
{
    public static void Map(RouteGroupBuilder api) =>
        api.Map("/{**path}", (HttpContext http) => Answer(http)).WithOrder(int.MaxValue).ExcludeFromDescription();

    private static ProblemResult Answer(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "/";
        var allowed = AllowedMethods(http.RequestServices.GetRequiredService<EndpointDataSource>(), http.GetEndpoint(), path);
        if (allowed.Count == 0)
        {
            return new ProblemResult(StatusCodes.Status404NotFound, "not_found", "Not found",
                $"There is no '{Clip(path)}' in this API. The endpoints are listed in the OpenAPI document at /openapi/v1.json.");
        }

        var allow = string.Join(", ", allowed);
        http.Response.Headers.Allow = allow;
        return new ProblemResult(StatusCodes.Status405MethodNotAllowed, "method_not_allowed", "Method not allowed",
            $"'{Clip(path)}' does not take {http.Request.Method}; it takes {allow}.");
    }

    /// <summary>The methods of the other endpoints whose route matches <paramref name="path"/>.</summary>
    private static SortedSet<string> AllowedMethods(EndpointDataSource endpoints, Endpoint? self, string path)
    {
        var segments = path.Trim('/').Split('/');
        var methods = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints.Endpoints)
        {
            if (endpoint is RouteEndpoint route && !ReferenceEquals(endpoint, self) && endpoint.DisplayName != self?.DisplayName &&
                endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is { } accepted && Matches(route.RoutePattern, segments))
            {
                methods.UnionWith(accepted.HttpMethods);
            }
        }

        return methods;
    }

    private static bool Matches(RoutePattern pattern, string[] segments)
    {
        for (var i = 0; i < pattern.PathSegments.Count; i++)
        {
            var parts = pattern.PathSegments[i].Parts;
            if (parts is [RoutePatternParameterPart { IsCatchAll: true }])
            {
                return true;
            }

            if (i >= segments.Length || segments[i].Length == 0)
            {
                return false;
            }

            if (parts is [RoutePatternLiteralPart literal] && !literal.Content.Equals(segments[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return segments.Length == pattern.PathSegments.Count;
    }

    /// <summary>A path from the request, cut to what a message about it needs.</summary>
    internal static string Clip(string s) => s.Length > 100 ? s[..100] + "…" : s;
}

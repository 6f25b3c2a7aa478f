using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Switchboard.Server.Security;

/// <summary>
/// Gives each of Switchboard's endpoints its row of <see cref="AccessTable"/> as metadata, once, when the routes are
/// built. An endpoint the table has no row for (or whose methods disagree on one) gets <see cref="RouteAccess.Undeclared"/>,
/// which the access filter refuses: a route forgotten in the table fails closed.
/// </summary>
internal static class AccessConvention
{
    public static void Apply(IEndpointConventionBuilder root, string prefix) => root.Finally(endpoint =>
    {
        if (endpoint is not RouteEndpointBuilder route)
        {
            return;
        }

        endpoint.Metadata.Add(Of(route.RoutePattern.RawText ?? "", route.Metadata.OfType<HttpMethodMetadata>().LastOrDefault()?.HttpMethods, prefix));
    });

    /// <summary>The policy of the route <paramref name="pattern"/> (as mapped, with <paramref name="prefix"/>) for <paramref name="methods"/> (null: every method).</summary>
    public static RouteAccess Of(string pattern, IReadOnlyList<string>? methods, string prefix)
    {
        var relative = Relative(pattern, prefix);
        if (methods is null || methods.Count == 0)
        {
            return AccessTable.Find(AccessTable.AnyMethod, relative) ?? RouteAccess.Undeclared;
        }

        RouteAccess? found = null;
        foreach (var method in methods)
        {
            var access = AccessTable.Find(method, relative);
            if (access is null || (found is not null && found != access))
            {
                return RouteAccess.Undeclared;
            }

            found = access;
        }

        return found ?? RouteAccess.Undeclared;
    }

    /// <summary><paramref name="pattern"/> without the prefix <c>MapSwitchboard</c> was given ("/" for the prefix itself).</summary>
    public static string Relative(string pattern, string prefix)
    {
        var normalizedPrefix = "/" + prefix.Trim('/');
        var path = "/" + pattern.TrimStart('/');
        if (normalizedPrefix != "/" && path.StartsWith(normalizedPrefix, StringComparison.Ordinal))
        {
            path = path[normalizedPrefix.Length..];
        }

        return path.Length > 1 ? path.TrimEnd('/') : "/";
    }
}

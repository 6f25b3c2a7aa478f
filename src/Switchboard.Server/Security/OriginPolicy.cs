using System.Net;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Security;

/// <summary>
/// Which browser pages may use the API and the streams: the server's own origin, pages on localhost (unless turned off)
/// and the configured list. A request without an Origin header (curl, SDKs, native clients) is not a browser page and
/// passes; credentials still apply to it. This is what stops a web page on another site from reading or writing a
/// server on the user's machine, where auth is off by default.
/// </summary>
internal sealed class OriginPolicy
{
    private readonly HashSet<string> _allowed;
    private readonly bool _any;
    private readonly bool _localhost;

    public OriginPolicy(SecurityOptions options)
    {
        _allowed = new HashSet<string>(options.AllowedOrigins.Select(o => o.Trim().TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
        _any = _allowed.Contains("*");
        _localhost = options.AllowLocalhostOrigins;
    }

    /// <summary>The request's Origin, or null when it sent none.</summary>
    public static string? OriginOf(HttpRequest request) =>
        request.Headers.Origin is { Count: > 0 } values && values[0] is { Length: > 0 } origin ? origin : null;

    /// <summary>True when the request sent no Origin, or one this server accepts.</summary>
    public bool IsAllowed(HttpRequest request) => OriginOf(request) is not { } origin || IsAllowed(origin, request.Host);

    public bool IsAllowed(string origin, HostString host)
    {
        if (_any || _allowed.Contains(origin))
        {
            return true;
        }

        // "null" (sandboxed frames, file:// pages) and anything unparsable are foreign.
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/")
        {
            return false;
        }

        return (_localhost && IsLocalhost(uri.Host)) || IsSameOrigin(uri, host);
    }

    private static bool IsLocalhost(string host)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>
    /// Same host and port as the request's Host header. The scheme is not compared: behind a proxy that terminates
    /// TLS the request arrives as http while the page is https; a Host without a port means the origin's default port.
    /// </summary>
    private static bool IsSameOrigin(Uri origin, HostString host)
    {
        if (!host.HasValue || !origin.Host.Trim('[', ']').Equals(host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return host.Port is { } port ? origin.Port == port : origin.IsDefaultPort;
    }
}

using System.Net;
using Microsoft.AspNetCore.Http;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Security;

/// <summary>
/// Which browser pages may use the API and the streams. Two checks, both answered before any credential or body is read:
/// <list type="bullet">
/// <item>The <c>Host</c> the request was sent to: with auth off, a loopback name, an IP address or a configured host
/// (<see cref="SecurityOptions.AllowedHosts"/>), so a DNS-rebound name cannot reach a server on the user's machine.</item>
/// <item>The page's <c>Origin</c>: the server's own origin, pages on localhost (unless turned off) and the configured list.
/// A request without an Origin header (curl, SDKs, native clients) is not a browser page and passes; credentials
/// still apply to it.</item>
/// </list>
/// </summary>
internal sealed class OriginPolicy
{
    private readonly HashSet<string> _allowed;
    private readonly bool _any;
    private readonly bool _localhost;
    private readonly HostList? _hosts;

    public OriginPolicy(SecurityOptions options)
    {
        _allowed = new HashSet<string>(options.AllowedOrigins.Select(o => o.Trim().TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
        _any = _allowed.Contains("*");
        _localhost = options.AllowLocalhostOrigins;
        _hosts = options.AllowedHosts.Count > 0 || !options.AuthEnabled ? new HostList(options.AllowedHosts) : null;
    }

    /// <summary>The request's Origin, or null when it sent none.</summary>
    public static string? OriginOf(HttpRequest request) =>
        request.Headers.Origin is { Count: > 0 } values && values[0] is { Length: > 0 } origin ? origin : null;

    /// <summary>True when the request's Host is accepted and it sent no Origin, or one this server accepts.</summary>
    public bool IsAllowed(HttpRequest request) => Refusal(request) is null;

    /// <summary>The problem to answer when the request's Host or Origin is refused; null when both pass.</summary>
    public ProblemResult? Refusal(HttpRequest request)
    {
        if (_hosts is not null && !_hosts.Allows(request.Host))
        {
            return SecurityProblems.ForeignHost(request.Host);
        }

        return OriginOf(request) is { } origin && !IsAllowed(origin, request.Host) ? SecurityProblems.ForeignOrigin(origin) : null;
    }

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

    internal static bool IsLocalhost(string host)
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

    /// <summary>
    /// The Host names accepted: loopback names, any IP address (a name that was rebound never arrives as an address),
    /// and the configured names, exact or <c>*.suffix</c>. A request without Host (HTTP/1.0) names no host to rebind.
    /// </summary>
    private sealed class HostList(IEnumerable<string> configured)
    {
        private readonly string[] _names = [.. configured.Select(h => h.Trim().TrimEnd('.').ToLowerInvariant()).Where(h => h.Length > 0)];

        public bool Allows(HostString host)
        {
            if (!host.HasValue || _names.Contains("*"))
            {
                return true;
            }

            var name = host.Host.TrimEnd('.');
            if (IsLocalhost(name) || IsAddress(name))
            {
                return true;
            }

            return _names.Any(allowed => allowed.StartsWith("*.", StringComparison.Ordinal)
                ? name.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
                : name.Equals(allowed, StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>
        /// An address as browsers send it: four dotted decimals, or IPv6 in brackets. Shorthands such as <c>95</c> or
        /// <c>0x7f.1</c>, which .NET would also parse, never come from a browser and are not taken as addresses.
        /// </summary>
        private static bool IsAddress(string name) =>
            name.StartsWith('[') && name.EndsWith(']')
                ? IPAddress.TryParse(name[1..^1], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                : name.Count(c => c == '.') == 3 && name.All(c => char.IsAsciiDigit(c) || c == '.') && IPAddress.TryParse(name, out _);
    }
}

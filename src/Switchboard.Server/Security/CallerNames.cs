using System.Net;
using Microsoft.AspNetCore.Http;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Security;

/// <summary>
/// Who asked, answered or issued, as approvals and commands record it: the API key's name (<c>@ops-dashboard</c>, or its
/// fingerprint), or <c>anonymous</c> while auth is off; and, when a configured trusted proxy names the person on a
/// connection from one of its addresses, <c>alice via @ops-dashboard</c>. The header from any other address is ignored.
/// </summary>
internal sealed class CallerNames
{
    /// <summary>The longest person's name taken from the proxy's header.</summary>
    public const int MaxPersonLength = 100;

    private readonly string? _header;
    private readonly IPNetwork[] _proxies;

    public CallerNames(SecurityOptions options)
    {
        _header = options.TrustedProxy.UserHeader;
        var proxies = new List<IPNetwork>();
        foreach (var address in options.TrustedProxy.Addresses)
        {
            if (TryParse(address, out var network))
            {
                proxies.Add(network); // the others stopped start-up (Validate)
            }
        }

        _proxies = [.. proxies];
    }

    /// <summary>The name of the request's caller; a proxy's header that names nobody valid is 400 (<see cref="RequestException"/>).</summary>
    public string Of(HttpContext http)
    {
        var key = ApiAccessFilter.IdentityOf(http)?.Name ?? Switchboard.Core.Commands.CommandLimits.Anonymous;
        return PersonOf(http) is { } person ? $"{person} via {key}" : key;
    }

    private string? PersonOf(HttpContext http)
    {
        if (_header is null || http.Connection.RemoteIpAddress is not { } remote)
        {
            return null;
        }

        var address = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        if (!Array.Exists(_proxies, p => p.Contains(address)))
        {
            return null;
        }

        var values = http.Request.Headers[_header];
        if (values.Count == 0)
        {
            return null;
        }

        var person = values.Count == 1 ? values[0]?.Trim() : null;
        if (string.IsNullOrEmpty(person) || person.Length > MaxPersonLength || person.Any(char.IsControl))
        {
            throw new RequestException(new ProblemResult(StatusCodes.Status400BadRequest, "invalid_forwarded_user", "Invalid request",
                $"The trusted proxy's {_header} header must name one person in 1-{MaxPersonLength} characters without control characters, once. " +
                "Fix the proxy's configuration (Switchboard:Security:TrustedProxy)."));
        }

        return person;
    }

    /// <summary>What is wrong with the trusted proxy's settings (empty when nothing).</summary>
    public static List<string> Validate(TrustedProxyOptions options)
    {
        var problems = new List<string>();
        if (options.UserHeader is { } header && (header.Length == 0 || !header.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            problems.Add("UserHeader must be a header name such as X-Forwarded-User (letters, digits, '-' and '_').");
        }

        if ((options.UserHeader is null) != (options.Addresses.Count == 0))
        {
            problems.Add("UserHeader and Addresses go together: name the header the proxy sets and the addresses it connects from " +
                "(Switchboard:Security:TrustedProxy:UserHeader=X-Forwarded-User, …:Addresses:0=10.0.0.5).");
        }

        foreach (var address in options.Addresses)
        {
            if (!TryParse(address, out _))
            {
                problems.Add($"Addresses has '{(address.Length > 60 ? address[..60] + "…" : address)}', which is neither an IP address nor a CIDR range (10.0.0.5, 10.1.0.0/16, ::1).");
            }
        }

        return problems;
    }

    private static bool TryParse(string text, out IPNetwork network)
    {
        if (IPAddress.TryParse(text, out var address))
        {
            address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(text, out network);
    }
}

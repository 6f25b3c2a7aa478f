using System.Net;
using Microsoft.AspNetCore.Http;
using Switchboard.Core.Hosting;
using Switchboard.Server.Options;

namespace Switchboard.Server.Security;

/// <summary>The safe-default rule: a node reachable from other machines needs API keys (or an explicit opt-out).</summary>
internal static class ListenAddresses
{
    /// <summary>
    /// True when <paramref name="url"/> (e.g. <c>http://127.0.0.1:5080</c>) only accepts connections from this machine:
    /// loopback addresses, <c>localhost</c>, and Unix sockets. <c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c> and host names
    /// (Kestrel binds those to every interface) are not.
    /// </summary>
    public static bool IsLoopback(string url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url.Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        if (address.IsUnixPipe || address.IsNamedPipe)
        {
            return true;
        }

        var host = address.Host.Trim('[', ']');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>
    /// Why start-up must stop, or null: some of <paramref name="urls"/> is not loopback, no API key is configured and
    /// <see cref="SecurityOptions.AllowInsecure"/> is off. The message says how to fix it.
    /// </summary>
    public static string? ExposureProblem(IEnumerable<string> urls, SecurityOptions security)
    {
        if (security.AuthEnabled || security.AllowInsecure)
        {
            return null;
        }

        var exposed = urls.Where(u => !IsLoopback(u)).ToList();
        if (exposed.Count == 0)
        {
            return null;
        }

        return $"Switchboard is set to listen on {string.Join(", ", exposed)}, which other machines can reach, but no API keys are configured: " +
               "anyone who can reach the port could read and change every session. Either turn auth on: make a key with " +
               "`switchboard keys new`, start with SWITCHBOARD_API_KEYS=<key>[,<key>:read…] and give the key to your clients (docs/security.md), " +
               "or, only if the network itself is trusted, start with --insecure (Switchboard:Security:AllowInsecure=true). " +
               $"Listening on loopback only ({SwitchboardDefaults.Urls}) needs neither.";
    }
}

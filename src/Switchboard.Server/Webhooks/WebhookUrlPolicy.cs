using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Switchboard.Server.Options;
using Switchboard.Server.Webhooks.Options;

namespace Switchboard.Server.Webhooks;

/// <summary>
/// Which receiver URLs are accepted: absolute http or https, no user info, and — unless
/// <see cref="WebhookOptions.AllowSelf"/> — not this server itself (a loopback or unspecified address, or localhost, on
/// one of the ports it listens on), so a webhook cannot be turned against the server's own API or admin endpoints.
/// </summary>
internal sealed class WebhookUrlPolicy(IServer server, SwitchboardOptions options)
{
    /// <summary>Why <paramref name="text"/> is refused, or null.</summary>
    public string? Check(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "'url' must be an absolute http:// or https:// URL.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "'url' must not carry a user name or password; authenticate the receiver with the signature instead.";
        }

        if (text.Length > 2048)
        {
            return "'url' is at most 2,048 characters.";
        }

        if (!options.Webhooks.AllowSelf && IsSelf(uri))
        {
            return $"'url' points at this Switchboard server ({uri.Host}:{uri.Port}); deliveries to the server itself are refused " +
                "(set Switchboard:Webhooks:AllowSelf to allow them).";
        }

        return null;
    }

    private bool IsSelf(Uri uri)
    {
        var local = uri.IsLoopback || uri.Host == "0.0.0.0" || uri.Host == "[::]"
            || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)));
        if (!local)
        {
            return false;
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            if (Uri.TryCreate(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal),
                    UriKind.Absolute, out var bound) && bound.Port == uri.Port)
            {
                return true;
            }
        }

        return false;
    }
}

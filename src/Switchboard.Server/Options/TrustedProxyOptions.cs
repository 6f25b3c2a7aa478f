namespace Switchboard.Server.Options;

/// <summary>
/// A proxy in front of Switchboard that signs people in (an SSO gateway, oauth2-proxy) and says who each request is from
/// (<c>Switchboard:Security:TrustedProxy</c>). The header is believed only on connections from <see cref="Addresses"/>;
/// from anywhere else it is ignored, so nobody names themselves by sending it.
/// </summary>
public sealed class TrustedProxyOptions
{
    /// <summary>The header naming the signed-in person, e.g. <c>X-Forwarded-User</c>. Unset: nobody's person is recorded.</summary>
    public string? UserHeader { get; set; }

    /// <summary>The proxies' addresses, each an IP address or a CIDR range (<c>10.0.0.5</c>, <c>10.1.0.0/16</c>, <c>::1</c>).</summary>
    public List<string> Addresses { get; } = [];
}

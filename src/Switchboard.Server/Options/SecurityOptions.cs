using Switchboard.Core.Hosting;

namespace Switchboard.Server.Options;

/// <summary>
/// Who may do what. With no API keys, auth is off (and the node must listen on loopback only, unless
/// <see cref="AllowInsecure"/>); with keys, every API call needs one and every stream a key or a subscriber token.
/// </summary>
public sealed class SecurityOptions
{
    /// <summary>Producer API keys. Any key turns auth on.</summary>
    public List<ApiKeyOptions> ApiKeys { get; } = [];

    /// <summary>
    /// The HS256 secret subscriber tokens are signed with (at least 32 characters). When unset and auth is on, one is
    /// generated and kept in the data directory; nodes that share a database must all be given the same secret.
    /// </summary>
    public string? TokenSigningKey { get; set; }

    /// <summary>Start even when listening beyond loopback with no API keys: anyone who can reach the port can read and write.</summary>
    public bool AllowInsecure { get; set; }

    /// <summary>
    /// Browser origins (<c>https://ops.example.com</c>) allowed to open streams and call the API besides the server's own
    /// origin; <c>*</c> allows any. Requests without an Origin header (curl, SDKs) are not affected.
    /// </summary>
    public List<string> AllowedOrigins { get; } = [];

    /// <summary>
    /// With auth off, the host names (<c>switchboard.internal</c>, <c>*.corp.example</c>) a request's <c>Host</c> header may
    /// carry besides loopback names and IP addresses; <c>*</c> allows any. Refusing other names is what stops DNS
    /// rebinding: a page on <c>evil.example</c> whose name is made to resolve to 127.0.0.1 reaches the server same-origin,
    /// but with <c>Host: evil.example</c>. With API keys the check is off unless this list is given.
    /// </summary>
    public List<string> AllowedHosts { get; } = [];

    /// <summary>Also allow pages served from localhost, 127.0.0.1 or [::1] on any port. Default true.</summary>
    public bool AllowLocalhostOrigins { get; set; } = true;

    /// <summary>Lifetime of a token minted by <c>POST /api/tokens</c> that names none. Default 15 min.</summary>
    public TimeSpan TokenLifetime { get; set; } = SwitchboardDefaults.TokenLifetime;

    /// <summary>Longest lifetime <c>POST /api/tokens</c> grants. Default 24 h.</summary>
    public TimeSpan TokenMaxLifetime { get; set; } = SwitchboardDefaults.TokenMaxLifetime;

    /// <summary>True when API keys are configured.</summary>
    public bool AuthEnabled => ApiKeys.Count > 0;

    /// <summary>
    /// Who a request comes from besides its key: the person a trusted proxy (an SSO gateway in front of the dashboard)
    /// names in a header, recorded with the key's name on answers and commands (<c>alice via @ops-dashboard</c>).
    /// </summary>
    public TrustedProxyOptions TrustedProxy { get; } = new();

    /// <summary>
    /// Adds keys from a comma-separated list such as <c>SWITCHBOARD_API_KEYS</c>: each entry is optionally a name
    /// (<c>@ops-dashboard</c>) and whitespace, then the key, optionally followed by its role, <c>:read</c>, <c>:agent</c> or
    /// <c>:operator</c> (the default; <c>:write</c> is its older name), then optionally by a labels scope after whitespace
    /// (<c>@ci key:agent team=red env=prod</c>). Blank entries are ignored. A name or scope that does not parse is reported
    /// when the options are validated.
    /// </summary>
    public SecurityOptions AddApiKeys(string? list)
    {
        foreach (var entry in (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            ApiKeys.Add(ApiKeyList.Parse(entry));
        }

        return this;
    }
}


namespace Switchboard.Options;

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
    /// Adds keys from a comma-separated list such as <c>SWITCHBOARD_API_KEYS</c>: each entry is a key, optionally
    /// followed by <c>:read</c> or <c>:write</c> (the default), then optionally by a labels scope after whitespace
    /// (<c>key:read team=red env=prod</c>). Blank entries are ignored. A scope that does not parse is reported when the
    /// options are validated.
    /// </summary>
    public SecurityOptions AddApiKeys(string? list)
    {
        foreach (var entry in (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var key = parts[0];
            var colon = key.LastIndexOf(':');
            var suffix = colon > 0 ? key[(colon + 1)..] : "";
            var options = suffix.ToLowerInvariant() switch
            {
                "read" => new ApiKeyOptions { Key = key[..colon], Scope = ApiKeyScope.Read },
                "write" => new ApiKeyOptions { Key = key[..colon], Scope = ApiKeyScope.Write },
                _ => new ApiKeyOptions { Key = key, Scope = ApiKeyScope.Write },
            };
            foreach (var pair in parts.Skip(1))
            {
                var eq = pair.IndexOf('=');
                if (eq <= 0 || eq == pair.Length - 1)
                {
                    options.ScopeProblem ??= $"its labels scope has '{(pair.Length > 40 ? pair[..40] + "…" : pair)}', which is not a key=value label";
                }
                else if (!options.Labels.TryAdd(pair[..eq], pair[(eq + 1)..]))
                {
                    options.ScopeProblem ??= $"its labels scope names label '{pair[..eq]}' twice";
                }
            }

            ApiKeys.Add(options);
        }

        return this;
    }
}

/// <summary>One producer API key.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The key itself: at least 16 characters, e.g. <c>openssl rand -hex 24</c>.</summary>
    public string Key { get; set; } = "";

    /// <summary>What the key may do. Default <see cref="ApiKeyScope.Write"/>.</summary>
    public ApiKeyScope Scope { get; set; } = ApiKeyScope.Write;

    /// <summary>
    /// The key's labels scope, like a subscriber token's: when set, the key sees and writes only sessions carrying all of
    /// these labels, creates sessions with them, and may not read fleet-wide totals or administer the fleet
    /// (<c>Switchboard:Security:ApiKeys:0:Labels:team=red</c>). Empty: the whole fleet.
    /// </summary>
    public Dictionary<string, string> Labels { get; } = new(StringComparer.Ordinal);

    /// <summary>What was wrong with the scope of a key read from a list (<see cref="SecurityOptions.AddApiKeys"/>); reported by validation.</summary>
    internal string? ScopeProblem { get; set; }
}

/// <summary>What an API key may do.</summary>
public enum ApiKeyScope
{
    /// <summary>Reads: GET requests and streams.</summary>
    Read,

    /// <summary>Everything a read key may do, plus writes and minting subscriber tokens.</summary>
    Write,
}

namespace Switchboard.Server.Options;

/// <summary>One producer API key.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The key itself: at least 16 characters, e.g. <c>openssl rand -hex 24</c>.</summary>
    public string Key { get; set; } = "";

    /// <summary>
    /// What the key may do (docs/security.md, "Roles"). Unset: what the older <see cref="Scope"/> says, so configuration
    /// written before roles keeps its meaning; by default <see cref="ApiKeyRole.Operator"/>.
    /// </summary>
    public ApiKeyRole? Role { get; set; }

    /// <summary>
    /// The older, two-valued form of <see cref="Role"/>: <c>Read</c> is the read role, <c>Write</c> (the default) the
    /// operator role. <see cref="Role"/>, when given, decides; an agent or operator <see cref="Role"/> with <c>Read</c>
    /// here is refused at start.
    /// </summary>
    public ApiKeyScope Scope { get; set; } = ApiKeyScope.Write;

    /// <summary>
    /// The key's name, recorded on the answers and commands given with it (<c>@ops-dashboard</c>) and shown in logs: 1–32
    /// characters from <c>[A-Za-z0-9._-]</c>, unique among the keys (a leading <c>@</c> is allowed and not part of it).
    /// Unset: the key's fingerprint (<c>key-1a2b3c4d</c>, from its SHA-256), never the key.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// The key's labels scope, like a subscriber token's: when set, the key sees and writes only sessions carrying all of
    /// these labels, creates sessions with them, and may not read fleet-wide totals or administer the fleet
    /// (<c>Switchboard:Security:ApiKeys:0:Labels:team=red</c>). Empty: the whole fleet.
    /// </summary>
    public Dictionary<string, string> Labels { get; } = new(StringComparer.Ordinal);

    /// <summary>What was wrong with the scope of a key read from a list (<see cref="SecurityOptions.AddApiKeys"/>); reported by validation.</summary>
    internal string? ScopeProblem { get; set; }

    /// <summary>The role the key has: <see cref="Role"/>, else what <see cref="Scope"/> says.</summary>
    internal ApiKeyRole EffectiveRole => Role ?? (Scope == ApiKeyScope.Read ? ApiKeyRole.Read : ApiKeyRole.Operator);

    /// <summary>True when <see cref="Role"/> gives a role that writes while the older <see cref="Scope"/> says read only.</summary>
    internal bool RoleContradictsScope => Role is ApiKeyRole.Agent or ApiKeyRole.Operator && Scope == ApiKeyScope.Read;
}

/// <summary>What an API key may do; each role may do everything the one before it may.</summary>
public enum ApiKeyRole
{
    /// <summary>Reads: GET requests, streams and subscriber tokens.</summary>
    Read,

    /// <summary>
    /// What a coding agent or producer reports: sessions, usage, hooks, telemetry, its commands' long-polls and
    /// acknowledgements, stream appends and asking for an approval. It cannot answer approvals or steer the fleet.
    /// </summary>
    Agent,

    /// <summary>Everything: answering approvals, issuing commands, pausing the fleet, alert rules and webhooks.</summary>
    Operator,
}

/// <summary>The older two-valued form of <see cref="ApiKeyRole"/> (<c>Switchboard:Security:ApiKeys:N:Scope</c>).</summary>
public enum ApiKeyScope
{
    /// <summary>The read role.</summary>
    Read,

    /// <summary>The operator role.</summary>
    Write,
}

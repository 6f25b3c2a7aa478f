using System.Security.Cryptography;
using System.Text;
using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;
using Switchboard.Server.Live;
using Switchboard.Server.Options;

namespace Switchboard.Server.Security;

/// <summary>
/// An authenticated API key: its role, its labels scope (null: the whole fleet), a fingerprint that names it in rate
/// limits (never the key) and its name (<c>@ops</c>, or the fingerprint), which answers and commands record.
/// </summary>
internal sealed record ApiKeyIdentity(ApiKeyRole Role, string Fingerprint, LabelFilter? Labels = null)
{
    /// <summary>What a stream opened with the key may subscribe to: every topic, without expiry, inside its labels scope.</summary>
    public StreamGrant Grant { get; } = Labels is null ? StreamGrant.Unrestricted : StreamGrant.ForKey(Labels.ToDictionary());

    /// <summary>The configured name with its <c>@</c>, or the fingerprint.</summary>
    public string Name { get; init; } = Fingerprint;

    /// <summary>Each role may do what the roles before it may.</summary>
    public bool Allows(ApiKeyRole needed) => Role >= needed;
}

/// <summary>
/// The configured API keys, kept only as SHA-256 hashes. A presented key is hashed and compared with every configured
/// hash in constant time, without stopping at a match, so timing reveals neither the key nor which one matched.
/// The set can be replaced while running (key rotation); each request sees either the old set or the new one.
/// </summary>
internal sealed class ApiKeyRing
{
    /// <summary>The longest key name.</summary>
    public const int MaxNameLength = 32;

    private volatile (byte[] Hash, ApiKeyIdentity Identity)[] _keys;

    public ApiKeyRing(SecurityOptions options) => _keys = Hash(options);

    /// <summary>The names of the keys in use (a fingerprint for a key without one), for logs.</summary>
    public IReadOnlyList<string> Names => [.. _keys.Select(k => k.Identity.Name)];

    /// <summary>
    /// Replaces the keys with <paramref name="fresh"/> ones, if they are valid and auth stays on (a running node never
    /// switches auth off, or on); otherwise keeps the current keys. Returns what was wrong, or null when replaced.
    /// </summary>
    public string? TryReplace(SecurityOptions fresh)
    {
        if (IsEmpty)
        {
            return "auth was off when the server started; restart it to turn auth on";
        }

        if (!fresh.AuthEnabled)
        {
            return "the new configuration has no API key, which would switch auth off; keep at least one, or restart";
        }

        var problems = Validate(fresh);
        if (problems.Count > 0)
        {
            return string.Join(" ", problems);
        }

        _keys = Hash(fresh);
        return null;
    }

    private static (byte[] Hash, ApiKeyIdentity Identity)[] Hash(SecurityOptions options) =>
    [
        .. options.ApiKeys.Select(k =>
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(k.Key));
            var fingerprint = "key-" + Convert.ToHexStringLower(hash, 0, 4);
            return (hash, new ApiKeyIdentity(k.EffectiveRole, fingerprint, LabelFilter.From(k.Labels)) { Name = NameOf(k) is { } name ? "@" + name : fingerprint });
        }),
    ];

    public bool IsEmpty => _keys.Length == 0;

    /// <summary>Whether some key has a labels scope, so requests may come from more than one scope (read as the keys are now).</summary>
    public bool HasLabelScopes => Array.Exists(_keys, k => k.Identity.Labels is not null);

    public int Count => _keys.Length;

    public int CountWithRole(ApiKeyRole role) => _keys.Count(k => k.Identity.Role == role);

    /// <summary>The identity of <paramref name="presented"/>, or null when it is no configured key.</summary>
    public ApiKeyIdentity? Find(ReadOnlySpan<char> presented)
    {
        if (presented.IsEmpty || presented.Length > 1024)
        {
            return null;
        }

        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(presented.Length)];
        var length = Encoding.UTF8.GetBytes(presented, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        ApiKeyIdentity? found = null;
        foreach (var (keyHash, identity) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, keyHash))
            {
                found = identity;
            }
        }

        return found;
    }

    /// <summary>Checks the configured keys; returns the problems found (empty when they are fine).</summary>
    public static List<string> Validate(SecurityOptions options)
    {
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var entry = options.ApiKeys[i];
            var key = entry.Key ?? "";
            // Name keys by position only: a key is never echoed, not even a rejected one (nor a name, which may be a
            // key written where the name goes).
            if (key.Length == 0 && entry.Name is not null)
            {
                problems.Add($"API key #{i + 1} has a name but no key; write the name before the key, `@name <key>[:role]`.");
            }
            else if (key.Length < SwitchboardDefaults.MinApiKeyLength)
            {
                problems.Add($"API key #{i + 1} is shorter than {SwitchboardDefaults.MinApiKeyLength} characters; use a random one, e.g. `openssl rand -hex 24`.");
            }
            else if (key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == ','))
            {
                problems.Add($"API key #{i + 1} contains whitespace, a control character or a comma.");
            }
            else if (!seen.Add(key))
            {
                problems.Add($"API key #{i + 1} is listed twice.");
            }
            else if (NameProblem(entry, names) is { } name)
            {
                problems.Add($"API key #{i + 1}: {name}. A name goes before the key, `@ops-dashboard <key>[:role]` (or Switchboard:Security:ApiKeys:N:Name).");
            }
            else if (entry.RoleContradictsScope)
            {
                problems.Add($"API key #{i + 1} gives both a Role and the older Scope, and they disagree; give only Role (Read, Agent or Operator).");
            }
            else if (ScopeProblem(entry) is { } scope)
            {
                problems.Add($"API key #{i + 1}: {scope}. A scope is labels after the key and a space, `[@name ]<key>[:read|:agent|:operator] team=red env=prod` " +
                    "(or Switchboard:Security:ApiKeys:N:Labels:team=red).");
            }
        }

        return problems;
    }

    /// <summary>The name of a key without its optional <c>@</c>; null when it has none.</summary>
    private static string? NameOf(ApiKeyOptions key) => key.Name is { } name ? name.StartsWith('@') ? name[1..] : name : null;

    /// <summary>What is wrong with a key's name, or null; <paramref name="taken"/> collects the names seen so far.</summary>
    private static string? NameProblem(ApiKeyOptions key, HashSet<string> taken)
    {
        if (NameOf(key) is not { } name)
        {
            return null;
        }

        if (name.Length is 0 or > MaxNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            return $"its name is not 1-{MaxNameLength} characters from [A-Za-z0-9._-]";
        }

        return taken.Add(name) ? null : "its name is already another key's; names are unique (case does not count)";
    }

    /// <summary>What is wrong with a key's labels scope, or null: the rules of a session's labels, and no empty value.</summary>
    private static string? ScopeProblem(ApiKeyOptions key)
    {
        if (key.ScopeProblem is { } parsed)
        {
            return parsed;
        }

        if (key.Labels.Count > SessionLimits.MaxLabels)
        {
            return $"its labels scope has {key.Labels.Count} labels; at most {SessionLimits.MaxLabels} are allowed";
        }

        foreach (var (name, value) in key.Labels)
        {
            if (!WriteValidator.IsLabelKey(name))
            {
                return $"its labels scope has the label key '{(name.Length > 40 ? name[..40] + "…" : name)}'; keys are 1-{SessionLimits.MaxLabelKeyLength} characters from [A-Za-z0-9._:/-]";
            }

            if (string.IsNullOrEmpty(value) || value.Length > SessionLimits.MaxLabelValueLength)
            {
                return $"its labels scope gives label '{name}' an empty value or one longer than {SessionLimits.MaxLabelValueLength} characters";
            }
        }

        return null;
    }
}

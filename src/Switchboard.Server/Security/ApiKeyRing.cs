using System.Security.Cryptography;
using System.Text;
using Switchboard.Live;
using Switchboard.Options;
using Switchboard.Sessions;
using Switchboard.Writes;

namespace Switchboard.Security;

/// <summary>
/// An authenticated API key: its scope, its labels scope (null: the whole fleet) and a fingerprint that names it in logs
/// and rate limits (never the key).
/// </summary>
internal sealed record ApiKeyIdentity(ApiKeyScope Scope, string Fingerprint, LabelFilter? Labels = null)
{
    /// <summary>What a stream opened with the key may subscribe to: every topic, without expiry, inside its labels scope.</summary>
    public StreamGrant Grant { get; } = Labels is null ? StreamGrant.Unrestricted : StreamGrant.ForKey(Labels.ToDictionary());

    public bool Allows(ApiKeyScope needed) => Scope == ApiKeyScope.Write || needed == ApiKeyScope.Read;
}

/// <summary>
/// The configured API keys, kept only as SHA-256 hashes. A presented key is hashed and compared with every configured
/// hash in constant time, without stopping at a match, so timing reveals neither the key nor which one matched.
/// The set can be replaced while running (key rotation); each request sees either the old set or the new one.
/// </summary>
internal sealed class ApiKeyRing
{
    private volatile (byte[] Hash, ApiKeyIdentity Identity)[] _keys;

    public ApiKeyRing(SecurityOptions options) => _keys = Hash(options);

    /// <summary>The fingerprints of the keys in use, for logs.</summary>
    public IReadOnlyList<string> Fingerprints => [.. _keys.Select(k => k.Identity.Fingerprint)];

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
            return (hash, new ApiKeyIdentity(k.Scope, "key-" + Convert.ToHexStringLower(hash, 0, 4), LabelFilter.From(k.Labels)));
        }),
    ];

    public bool IsEmpty => _keys.Length == 0;

    /// <summary>Whether some key has a labels scope, so requests may come from more than one scope (read as the keys are now).</summary>
    public bool HasLabelScopes => Array.Exists(_keys, k => k.Identity.Labels is not null);

    public int Count => _keys.Length;

    public int CountWithScope(ApiKeyScope scope) => _keys.Count(k => k.Identity.Scope == scope);

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
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i].Key ?? "";
            // Name keys by position only: a key is never echoed, not even a rejected one.
            if (key.Length < SwitchboardDefaults.MinApiKeyLength)
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
            else if (ScopeProblem(options.ApiKeys[i]) is { } scope)
            {
                problems.Add($"API key #{i + 1}: {scope}. A scope is labels after the key and a space, `<key>[:read] team=red env=prod` " +
                    "(or Switchboard:Security:ApiKeys:N:Labels:team=red).");
            }
        }

        return problems;
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

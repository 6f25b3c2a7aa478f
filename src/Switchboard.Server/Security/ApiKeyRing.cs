using System.Security.Cryptography;
using System.Text;
using Switchboard.Hosting;

namespace Switchboard.Security;

/// <summary>An authenticated API key: its scope and a fingerprint that names it in logs and rate limits (never the key).</summary>
internal sealed record ApiKeyIdentity(ApiKeyScope Scope, string Fingerprint)
{
    public bool Allows(ApiKeyScope needed) => Scope == ApiKeyScope.Write || needed == ApiKeyScope.Read;
}

/// <summary>
/// The configured API keys, kept only as SHA-256 hashes. A presented key is hashed and compared with every configured
/// hash in constant time, without stopping at a match, so timing reveals neither the key nor which one matched.
/// </summary>
internal sealed class ApiKeyRing
{
    private readonly (byte[] Hash, ApiKeyIdentity Identity)[] _keys;

    public ApiKeyRing(SecurityOptions options)
    {
        _keys = [.. options.ApiKeys.Select(k =>
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(k.Key));
            return (hash, new ApiKeyIdentity(k.Scope, "key-" + Convert.ToHexStringLower(hash, 0, 4)));
        })];
    }

    public bool IsEmpty => _keys.Length == 0;

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
        }

        return problems;
    }
}

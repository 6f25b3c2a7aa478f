namespace Switchboard.Core.Sessions;

/// <summary>
/// The one rule of a labels scope (a subscriber token's, or an API key's): a session is inside it when it carries every
/// pair. Server's <c>LabelFilter</c> matches with it, and the write transaction checks a scoped key's writes with it.
/// </summary>
internal static class LabelScope
{
    /// <summary>Whether <paramref name="labels"/> carries every pair of <paramref name="scope"/>: lookups only, nothing allocated.</summary>
    public static bool Carries(IReadOnlyDictionary<string, string>? labels, ReadOnlySpan<KeyValuePair<string, string>> scope)
    {
        if (labels is null)
        {
            return false;
        }

        foreach (var (key, value) in scope)
        {
            if (!labels.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether two scopes (null: none) hold the same pairs.</summary>
    public static bool Same(KeyValuePair<string, string>[]? a, KeyValuePair<string, string>[]? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null || a.Length != b.Length)
        {
            return false;
        }

        foreach (var (key, value) in a)
        {
            if (Array.FindIndex(b, p => p.Key == key && p.Value == value) < 0)
            {
                return false;
            }
        }

        return true;
    }
}

using Switchboard.Live;

namespace Switchboard.Security;

/// <summary>
/// A topic pattern from a subscriber token's <c>topics</c> claim: a topic name in which <c>*</c> matches any run of
/// characters, e.g. <c>sessions</c>, <c>summary</c>, <c>session:*</c>, <c>session:agent-*</c>, or <c>*</c> for all.
/// </summary>
internal static class TopicPattern
{
    /// <summary>Longest pattern accepted.</summary>
    public const int MaxLength = 200;

    /// <summary>Why a pattern is not valid, or null when it is.</summary>
    public static string? Validate(string pattern)
    {
        if (pattern.Length is 0 or > MaxLength)
        {
            return $"a topic pattern has 1 to {MaxLength} characters";
        }

        foreach (var c in pattern)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-' or '*'))
            {
                return $"topic pattern '{Clip(pattern)}' may only hold letters, digits, '.', '_', ':', '-' and '*'";
            }
        }

        // A pattern that can match no topic is a mistake worth reporting (e.g. "sesions").
        var prefix = pattern.Split('*')[0];
        if (!TopicRoute.SessionsTopic.StartsWith(prefix, StringComparison.Ordinal)
            && !TopicRoute.SummaryTopic.StartsWith(prefix, StringComparison.Ordinal)
            && !TopicRoute.UsageTopic.StartsWith(prefix, StringComparison.Ordinal)
            && !TopicRoute.AlertsTopic.StartsWith(prefix, StringComparison.Ordinal)
            && !prefix.StartsWith(TopicRoute.SessionPrefix, StringComparison.Ordinal)
            && !TopicRoute.SessionPrefix.StartsWith(prefix, StringComparison.Ordinal))
        {
            return $"topic pattern '{Clip(pattern)}' matches no topic; topics are 'sessions', 'summary', 'usage', 'alerts' and 'session:{{id}}'";
        }

        return null;
    }

    /// <summary>Whether <paramref name="topic"/> matches <paramref name="pattern"/> (<c>*</c> matches any run, even an empty one).</summary>
    public static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> topic)
    {
        // Greedy glob with one backtrack point: linear in practice, never exponential.
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < topic.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (p < pattern.Length && pattern[p] == topic[t])
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static string Clip(string s) => s.Length > 40 ? s[..40] + "…" : s;
}

using Switchboard.Core.Sessions;
using Switchboard.Server.Live;

namespace Switchboard.Server.Security;

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

        // A pattern that can match no topic is a mistake worth reporting ("sesions", "sess", "session:").
        if (!TopicRoute.Named.Any(t => Matches(pattern, t)) && !CanMatchASessionTopic(pattern))
        {
            return $"topic pattern '{Clip(pattern)}' matches no topic; topics are {TopicRoute.Listed}";
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

    /// <summary>
    /// Whether some <c>session:{id}</c> topic matches: the pattern reads <c>session:</c>, and what is left of it can
    /// still match an id of 1 to 128 characters. Every character a pattern may hold is one an id may hold, so only the
    /// prefix and the id's length decide.
    /// </summary>
    private static bool CanMatchASessionTopic(string pattern)
    {
        // The glob as an automaton: a state is a position in the pattern; a '*' consumes any character or nothing.
        var states = Closure(pattern, [0]);
        foreach (var c in TopicRoute.SessionPrefix)
        {
            var next = new HashSet<int>();
            foreach (var p in states)
            {
                if (p < pattern.Length && pattern[p] == '*')
                {
                    next.Add(p);
                }
                else if (p < pattern.Length && pattern[p] == c)
                {
                    next.Add(p + 1);
                }
            }

            states = Closure(pattern, next);
        }

        foreach (var p in states)
        {
            var rest = pattern.AsSpan(p);
            var literal = rest.Length - rest.Count('*');
            if (rest.Length > 0 && literal <= SessionLimits.MaxIdLength)
            {
                return true; // an id of its literal characters, with one more for a '*' when there are none
            }
        }

        return false;
    }

    private static HashSet<int> Closure(string pattern, IEnumerable<int> states)
    {
        var closed = new HashSet<int>();
        foreach (var state in states)
        {
            for (var p = state; closed.Add(p) && p < pattern.Length && pattern[p] == '*'; p++)
            {
            }
        }

        return closed;
    }

    private static string Clip(string s) => s.Length > 40 ? s[..40] + "…" : s;
}

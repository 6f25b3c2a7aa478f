using Switchboard.Sessions;

namespace Switchboard.Live;

/// <summary>Label filters: a session matches when it carries every label of the filter.</summary>
internal static class LabelFilter
{
    public static bool Matches(IReadOnlyDictionary<string, string> filter, Session? session)
    {
        if (session is null)
        {
            return false;
        }

        foreach (var (key, value) in filter)
        {
            if (!session.Labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        return true;
    }
}

using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Trees;

/// <summary>
/// A session's place in its tree as the stores keep it: the ids from the root down to the session, separated by single
/// spaces (no id contains one). It is set at create and changes at most once after, when a root made from telemetry is
/// placed under its parent with its subtree (<see cref="Switchboard.Core.Writes.AdoptSession"/>). Sorting paths by ordinal puts a parent right before its
/// subtree, so a subtree is one range of paths, <c>[path, path + "!")</c>: a space sorts below <c>!</c>, which sorts below
/// every character an id may hold.
/// </summary>
internal static class TreePath
{
    /// <summary>The separator between ids.</summary>
    public const char Separator = ' ';

    /// <summary>The first character after the separator: the end of a subtree's range.</summary>
    public const char RangeEnd = '!';

    /// <summary>The path of a new session under <paramref name="parent"/> (a root's path is its id).</summary>
    public static string Of(string id, Session? parent) => parent is null ? id : parent.TreePath + Separator + id;

    /// <summary>
    /// True when a child <paramref name="id"/> of <paramref name="parent"/> has a path of at most
    /// <see cref="SwitchboardDefaults.MaxTreePathLength"/> characters, what every store's path index holds.
    /// </summary>
    public static bool Fits(Session parent, string id) => parent.TreePath.Length + 1 + id.Length <= SwitchboardDefaults.MaxTreePathLength;

    /// <summary>The ancestors' ids, root first; empty for a root.</summary>
    public static string[] Ancestors(string path)
    {
        var last = path.LastIndexOf(Separator);
        return last < 0 ? [] : path[..last].Split(Separator);
    }

    /// <summary>The root's id: the path's first id.</summary>
    public static string Root(string path)
    {
        var first = path.IndexOf(Separator);
        return first < 0 ? path : path[..first];
    }

    /// <summary>
    /// What an event's <c>root_id</c> column holds: the root's id for an event of a descendant, null for a root's own event
    /// (and one of no session). Subtree replay finds the descendants' events through this column's index and the top
    /// session's own by its id, so the events of roots, most of a flat fleet's, add no second index entry to each write.
    /// </summary>
    public static string? EventRoot(string? path)
    {
        var first = path?.IndexOf(Separator) ?? -1;
        return first < 0 ? null : path![..first];
    }

    /// <summary>
    /// The subtree replay's filter over the events' columns, with parameters named by <paramref name="prefix"/>
    /// (<c>troot</c>, <c>tfrom</c>, <c>tto</c>, <c>tsid</c>): the top session's own events, alerts and commands included,
    /// and every descendant's (<see cref="SubtreeReplayParameters"/>).
    /// </summary>
    public static string SubtreeReplayFilter(char prefix) =>
        $" AND (session_id = {prefix}tsid OR (root_id = {prefix}troot AND tree_path >= {prefix}tfrom AND tree_path < {prefix}tto))";

    /// <summary>The values of <see cref="SubtreeReplayFilter"/>'s parameters for the subtree of <paramref name="sessionId"/> at <paramref name="path"/>.</summary>
    public static (string Name, string Value)[] SubtreeReplayParameters(string sessionId, string path) =>
        [("tsid", sessionId), ("troot", Root(path)), ("tfrom", DescendantsFrom(path)), ("tto", SubtreeEnd(path))];

    /// <summary>True when the session with <paramref name="path"/> is <paramref name="id"/> or one of its descendants.</summary>
    public static bool IsWithin(string? path, string id)
    {
        if (path is null)
        {
            return false;
        }

        var at = 0;
        while (at <= path.Length)
        {
            var end = path.IndexOf(Separator, at);
            if (end < 0)
            {
                end = path.Length;
            }

            if (end - at == id.Length && string.CompareOrdinal(path, at, id, 0, id.Length) == 0)
            {
                return true;
            }

            at = end + 1;
        }

        return false;
    }

    /// <summary>True when <paramref name="path"/> lies strictly below <paramref name="ancestorPath"/>.</summary>
    public static bool IsBelow(string path, string ancestorPath) =>
        path.Length > ancestorPath.Length + 1 && path[ancestorPath.Length] == Separator && path.StartsWith(ancestorPath, StringComparison.Ordinal);

    /// <summary>The lowest path strictly below <paramref name="path"/>'s own (a descendant's path is at least this).</summary>
    public static string DescendantsFrom(string path) => path + Separator;

    /// <summary>The first path after <paramref name="path"/>'s whole subtree.</summary>
    public static string SubtreeEnd(string path) => path + RangeEnd;
}

using System.Text.Json;
using Switchboard.Core.Sessions;
using Switchboard.Core.Trees;

namespace Switchboard.Core.Events;

/// <summary>
/// What an event of a child session tells whoever holds its ancestors: <c>ancestors</c> (their ids, root first) and
/// <c>subtree_delta</c> (what the event added to each of their <c>subtree</c> totals). Written only when the session has
/// ancestors and the event changed its totals, so an ancestor's <c>subtree</c> stays exact in a live view without an event
/// per ancestor.
/// </summary>
internal static class TreeEventData
{
    /// <summary>The <c>data</c> member holding the ancestors' ids.</summary>
    public const string AncestorsName = "ancestors";

    /// <summary>The <c>data</c> member holding the delta.</summary>
    public const string DeltaName = "subtree_delta";

    /// <summary>Writes the members when <paramref name="session"/> has ancestors and <paramref name="delta"/> is not zero.</summary>
    public static void Write(Utf8JsonWriter w, Session session, SubtreeTotals delta)
    {
        if (session.Depth == 0 || delta.IsZero)
        {
            return;
        }

        w.WriteStartArray(AncestorsName);
        foreach (var id in TreePath.Ancestors(session.TreePath))
        {
            w.WriteStringValue(id);
        }

        w.WriteEndArray();
        w.WritePropertyName(DeltaName);
        SessionFields.Subtree.WriteValue(w, delta);
    }

    /// <summary>
    /// The delta an event carries for its ancestors: kept in memory on the node that committed it, else read from its
    /// data. Zero for an event of a root, of no session, or that changed no totals.
    /// </summary>
    public static SubtreeTotals Delta(EventRecord e)
    {
        if (e.SubtreeDelta is { } known)
        {
            return known;
        }

        if (e.TreePath is not { } path || path.IndexOf(TreePath.Separator) < 0 || !EventTypes.IsSession(e.Type))
        {
            return default;
        }

        using var doc = JsonDocument.Parse(e.Data);
        return doc.RootElement.TryGetProperty(DeltaName, out var delta) ? SessionFields.Subtree.Read(delta) : default;
    }
}

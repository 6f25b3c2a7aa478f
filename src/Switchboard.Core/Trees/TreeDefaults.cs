using Switchboard.Core.Sessions;

namespace Switchboard.Core.Trees;

/// <summary>Sessions stored or logged before sessions had a tree: each is a root, its subtree only itself.</summary>
internal static class TreeDefaults
{
    /// <summary>True for the wire fields a session written before trees does not have.</summary>
    public static bool IsTreeField(WireField field) =>
        field == SessionWire.ParentId || field == SessionWire.RootId || field == SessionWire.Depth || field == SessionWire.Subtree;

    /// <summary><paramref name="session"/> as a root with its own totals.</summary>
    public static Session AsRoot(Session session) => session with
    {
        ParentId = null,
        RootId = session.Id,
        Depth = 0,
        TreePath = session.Id,
        Subtree = SubtreeMath.Own(session),
    };
}

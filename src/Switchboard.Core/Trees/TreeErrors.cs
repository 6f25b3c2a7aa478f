using Switchboard.Core.Errors;
using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Trees;

/// <summary>The refusals of the tree rules; each names <c>parent_id</c> (or the counter that would overflow).</summary>
internal static class TreeErrors
{
    /// <summary>The wire name of the parent field.</summary>
    public const string ParentField = "parent_id";

    /// <summary>The configuration key of the depth limit, as errors and docs name it.</summary>
    public const string MaxDepthSetting = "Switchboard:Sessions:MaxTreeDepth";

    public static SwitchboardError ParentNotFound(string parentId) =>
        new(ErrorKind.NotFound, "parent_not_found",
            $"Parent session '{parentId}' does not exist. Create the parent first, or leave parent_id out to create a root session.", ParentField);

    public static SwitchboardError ParentTerminated(Session parent) =>
        new(ErrorKind.Conflict, "parent_terminated",
            $"Parent session '{parent.Id}' is terminated, and a terminated session takes no children. Start the child under an active session, or as a root.",
            ParentField);

    public static SwitchboardError TooDeep(Session parent, int maxDepth) =>
        new(ErrorKind.Invalid, "tree_too_deep",
            $"Parent session '{parent.Id}' is at depth {parent.Depth}, so a child would be at depth {parent.Depth + 1}; " +
            $"sessions may be at most {maxDepth} levels below their root ({MaxDepthSetting}).", ParentField);

    public static SwitchboardError PathTooLong(Session parent, string id) =>
        new(ErrorKind.Invalid, "tree_too_deep",
            $"A child '{id}' of '{parent.Id}' would have a tree path (the ids from its root, joined by spaces) of " +
            $"{parent.TreePath.Length + 1 + id.Length} characters; at most {SwitchboardDefaults.MaxTreePathLength} are allowed. " +
            "Use shorter session ids for deep trees (64 levels of ids up to 31 characters fit), or start the child as a new root.", ParentField);

    public static SwitchboardError ParentImmutable() =>
        SwitchboardError.InvalidField(ParentField,
            "'parent_id' is set when a session is created and never changes, so no cycle can form. Create a new session under the other parent instead.");

    public static SwitchboardError Overflow(string ancestorId) =>
        SwitchboardError.InvalidField("input_tokens",
            $"The increment would overflow the 64-bit token counters of the subtree of '{ancestorId}'.");
}

using Switchboard.Core.Events;
using Switchboard.Core.Storage;
using Switchboard.Core.Trees;

namespace Switchboard.Server.Live;

/// <summary>
/// Subtree joins (<c>session:{id}</c> with <c>{"subtree": true}</c>). The snapshot is read from the store's path index
/// off the loop, in one transaction with the log position A it reflects (A ≥ the loop's position S, since the loop only
/// applies what was committed): the subscription then starts after A, so an event up to A is in the snapshot and never
/// delivered, and every later one is. Events belong to the subtree by the tree path recorded with each of them, the same
/// rule live (<see cref="TreeHandler"/>) and in replay, so a resumed subscriber sees what a connected one saw.
/// </summary>
internal sealed partial class JoinCoordinator
{
    /// <summary>The session and the first page of its descendants (those a label-scoped token may see), as of the store's head.</summary>
    private async Task<JoinResult> SubtreeSnapshotAsync(JoinRequest request, JoinResult result, long position, CancellationToken cancellationToken)
    {
        var trees = store as ITreeStore ?? throw new InvalidOperationException("The store does not read session trees (ITreeStore).");
        var page = await trees.ReadSubtreeAsync(request.Route.SessionId!, afterPath: null, request.SnapshotLimit + 1, cancellationToken);
        if (page is null)
        {
            // Not created yet: its creation, and everything after, comes live.
            return result with { Seq = position, HasSession = true, Session = null, Descendants = new SubtreeSnapshot([], null) };
        }

        var scope = LabelFilter.From(request.Scope);
        var descendants = page.Sessions.Skip(1).Where(s => scope is null || scope.Matches(s.Labels)).ToList();
        var cursor = page.NextCursor is { } next ? (cursors ?? TreeCursor.Plain).Subtree(next) : null;
        return result with
        {
            Seq = Math.Max(page.AsOfSeq, position),
            HasSession = true,
            Session = InScope(request, page.Sessions[0]),
            Descendants = new SubtreeSnapshot(descendants, cursor),
        };
    }

    /// <summary>
    /// Whether an event belongs to a subtree subscription of <paramref name="id"/>: a session event of the session or a
    /// descendant (by its recorded path; an event logged before paths were, by its session), or an alert about the session.
    /// </summary>
    internal static bool InSubtree(EventRecord e, string id) =>
        EventTypes.IsSession(e.Type) && e.TreePath is { } path ? TreePath.IsWithin(path, id) : e.SessionId == id;

    /// <summary>The store filter of a lone subtree subscription's replay; null when its session does not exist (nothing to replay).</summary>
    private async Task<SubtreeFilter?> SubtreeFilterAsync(string id, CancellationToken cancellationToken) =>
        await store.GetSessionAsync(id, cancellationToken) is { } session ? new SubtreeFilter(id, session.TreePath) : null;
}

using Switchboard.Core.Sessions;

namespace Switchboard.Core.Storage;

/// <summary>The reads of session trees every store answers from its indexes, never by walking the tree in memory.</summary>
internal interface ITreeStore
{
    /// <summary>The children of <paramref name="parentId"/>, oldest first, after <paramref name="afterCreatedSeq"/> (the cursor).</summary>
    Task<SessionPage> ListChildrenAsync(string parentId, long? afterCreatedSeq, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the subtree of <paramref name="id"/> in tree order (a parent right before its subtree, siblings by id),
    /// the session itself first, continuing after <paramref name="afterPath"/> (a <see cref="TreePage.NextCursor"/>); read
    /// in one transaction with the log head it reflects. Null when the session does not exist.
    /// </summary>
    Task<TreePage?> ReadSubtreeAsync(string id, string? afterPath, int limit, CancellationToken cancellationToken);
}

/// <summary>
/// A page of a subtree, exactly as of <see cref="AsOfSeq"/>; <see cref="NextCursor"/> (the last node's tree path) is
/// null on the last page.
/// </summary>
internal sealed record TreePage(IReadOnlyList<Session> Sessions, string? NextCursor, long AsOfSeq);

/// <summary>Events of the sessions in a subtree (the session's own alert and command events included), for a subtree replay.</summary>
internal sealed record SubtreeFilter(string SessionId, string TreePath);

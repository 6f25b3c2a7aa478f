namespace Switchboard.Core.Storage;

/// <summary>
/// Where each approval's Slack message went, and which node posts and which updates it, so that with any number of nodes
/// an approval is posted once and updated once (docs/slack.md, "Several nodes"). A claim names a node as the store's
/// liveness knows it (<see cref="IRequestStore{TRequest, TState}.FindUnheldAsync"/>'s rule): it holds while that node is
/// alive, and lapses once it is gone, so a node that died between its claim and its call to Slack loses nothing for good.
/// Plain rows, outside the log: a chat message is not part of any session's history.
/// </summary>
internal interface ISlackStore
{
    /// <summary>
    /// Claims the right to post approval <paramref name="approvalId"/>'s message for <paramref name="node"/>: true when
    /// nobody had, or when the claimer is gone and nothing was posted; false otherwise (this node's own earlier claim too).
    /// </summary>
    Task<bool> ClaimSlackPostAsync(string approvalId, string node, CancellationToken cancellationToken);

    /// <summary>Records where the message went, while <paramref name="node"/> still holds the post's claim.</summary>
    Task SaveSlackPostAsync(string approvalId, string node, string channel, string ts, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the update of a posted message for <paramref name="node"/>: where it went when the claim is this node's now,
    /// null when it was not posted (yet), is already updated, or another node alive has claimed it.
    /// </summary>
    Task<(string Channel, string Ts)?> ClaimSlackUpdateAsync(string approvalId, string node, CancellationToken cancellationToken);

    /// <summary>Records the update as made (or given up), while <paramref name="node"/> holds its claim: nobody makes it again.</summary>
    Task SaveSlackUpdateAsync(string approvalId, string node, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Messages a gone node left undone, in the order asked: a pending approval whose post it claimed and never recorded,
    /// and an ended one posted but not updated, whose update it claimed, or (unclaimed) whose post it made: the node that
    /// posts a message updates it in the normal course. Never <paramref name="self"/>'s.
    /// </summary>
    Task<IReadOnlyList<(string SessionId, string ApprovalId)>> FindSlackLeftoversAsync(string self, int limit, CancellationToken cancellationToken);
}

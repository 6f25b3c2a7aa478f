using Switchboard.Core.Storage;

namespace Switchboard.Server.Approvals;

/// <summary>
/// This node as the holder of the hooks it holds (<see cref="Switchboard.Core.Approvals.Approval.HeldBy"/>): its id in the store's node liveness
/// (PostgreSQL's <c>switchboard_nodes</c>, so the other nodes see when it is gone), or a fresh random id for a store of
/// one node, so an approval a previous run held is known as nobody's after a restart.
/// </summary>
internal sealed record HoldingNode(string Id)
{
    public static HoldingNode For(ISessionStore store) =>
        new(store.Presence?.NodeId ?? Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)).ToLowerInvariant());
}

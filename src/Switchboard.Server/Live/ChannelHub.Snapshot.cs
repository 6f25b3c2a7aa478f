using Switchboard.Sessions;

namespace Switchboard.Live;

/// <summary>Snapshots for join replies, consistent with the log position of the join.</summary>
internal sealed partial class ChannelHub
{
    private void TakeSnapshot(JoinRequest request, JoinResult result)
    {
        var projection = dispatcher.Projection;
        switch (request.Route.Kind)
        {
            case TopicKind.Sessions:
                result.Summary = request.Scope is null ? dispatcher.Summary?.Current() : null;
                result.Sessions = projection.NewestActive(request.SnapshotLimit, request.Labels, out var more);
                result.NextCursor = more && result.Sessions.Count > 0 ? result.Sessions[^1].CreatedSeq : null;
                break;
            case TopicKind.Summary:
                result.Summary = dispatcher.Summary?.Current();
                break;
            case TopicKind.Session:
                result.HasSession = true;
                result.Session = InScope(request, projection.Get(request.Route.SessionId!));
                break;
        }
    }

    /// <summary>
    /// A session absent from the projection at <paramref name="position"/> was either terminated by then (final,
    /// so the stored row is the snapshot) or created later, in which case its events arrive live instead.
    /// A session active at the position would have been in the projection.
    /// </summary>
    private async Task<Session?> FindSettledSessionAsync(string id, long position, CancellationToken cancellationToken)
    {
        var stored = await store.GetSessionAsync(id, cancellationToken);
        return stored is { State: SessionState.Terminated } && stored.CreatedSeq <= position ? stored : null;
    }
}

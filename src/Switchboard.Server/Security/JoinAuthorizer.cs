using Switchboard.Core.Storage;
using Switchboard.Server.Live;

namespace Switchboard.Server.Security;

/// <summary>Joins under a connection's grant: topic patterns and the labels scope.</summary>
internal sealed class JoinAuthorizer(LiveHub live, ISessionStore store)
{
    /// <summary>
    /// Checks a join against <paramref name="grant"/> (null: auth is off) and applies its labels scope: on
    /// <c>sessions</c> the scope is added to the join's own label filter; <c>session:{id}</c> is joined as the scope sees
    /// it: a session outside the scope looks exactly like one that does not exist (docs/security.md). Returns the join to
    /// run, or why it is refused.
    /// </summary>
    public async Task<(JoinRequest? Request, string? Refusal)> AuthorizeAsync(JoinRequest request, StreamGrant? grant, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (grant is null)
        {
            return (request, null);
        }

        if (grant.IsExpiredAt(now))
        {
            return (null, "the connection's token has expired");
        }

        if (!grant.Allows(request.Route))
        {
            return (null, grant.Labels is not null && StreamGrant.IsFleetWide(request.Route)
                ? $"'{request.Route.Topic}' is fleet-wide; a connection scoped by labels (a token's or an API key's) cannot join it"
                : $"the token does not cover topic '{request.Route.Topic}'");
        }

        if (grant.Labels is not { } scope)
        {
            return (request, null);
        }

        switch (request.Route.Kind)
        {
            case TopicKind.AllSessions:
                var merged = LabelFilter.From(scope)!.Narrow(request.Labels, out var outside);
                return merged is null
                    ? (null, $"the label filter {outside} is outside the connection's labels scope")
                    : (request with { Labels = merged, Scope = scope }, null);
            case TopicKind.OneSession when request.Subtree:
                // A subtree is followed from a session inside the scope: one outside it and one that does not exist are
                // refused alike (following it would show which of the key's sessions it started).
                var root = await live.ReadSessionAsync(request.Route.SessionId!) ?? await store.GetSessionAsync(request.Route.SessionId!, cancellationToken);
                return root is not null && LabelFilter.From(scope)!.Matches(root.Labels)
                    ? (request with { Labels = scope, Scope = scope }, null)
                    : (null, "a subtree is followed from a session that exists inside the connection's labels scope");
            case TopicKind.OneSession:
                // Joined whether or not the session is inside the scope: one outside it answers as one that does not exist
                // yet (no snapshot, and its events only arrive once it carries the scope's labels).
                return (request with { Labels = scope, Scope = scope }, null);
            default:
                return (null, "summaries are fleet-wide; a connection scoped by labels cannot join 'summary'");
        }
    }
}

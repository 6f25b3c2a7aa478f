namespace Switchboard.Server.Security;

/// <summary>Who may call a route.</summary>
internal enum Caller
{
    /// <summary>Anyone who reaches the listener: health, the dashboard's files, the OpenAPI document, a CORS preflight.</summary>
    Anyone,

    /// <summary>An API key or a subscriber token, checked by the route itself (sockets, SSE, reads of topic and session streams).</summary>
    Subscriber,

    /// <summary>Any API key, whatever its role (who the key is, minting tokens inside its own scope).</summary>
    AnyKey,

    /// <summary>A key that may read: any role.</summary>
    Reader,

    /// <summary>What an agent reports (sessions, hooks, telemetry, its commands' long-polls and acks, asking a person): an agent or operator key.</summary>
    Agent,

    /// <summary>
    /// Slack, calling the app's interactivity URL: no key, since Slack cannot send one; the endpoint takes the request only
    /// with a valid <c>X-Slack-Signature</c> made with <c>Switchboard:Slack:SigningSecret</c>, then only from a mapped operator.
    /// </summary>
    SlackApp,

    /// <summary>Steering and administration (answering approvals, issuing commands, the fleet, alerts, webhooks): an operator key.</summary>
    Operator,
}

/// <summary>What a key scoped by labels reaches on a route, and how a target outside its scope answers.</summary>
internal enum Reach
{
    /// <summary>Nothing of any session: answered alike to every key.</summary>
    NoSessionData,

    /// <summary>Totals or administration over every session: a key scoped by labels gets 403 <c>insufficient_scope</c>.</summary>
    FleetWide,

    /// <summary>
    /// One session the request names: outside the key's scope it answers exactly as a session that does not exist (a
    /// create's id stays taken: 409, which says nothing else of the session).
    /// </summary>
    OneSession,

    /// <summary>
    /// Many sessions: lists, event pages and streams leave out whatever is outside the scope; writes (creates, batches,
    /// telemetry, hooks) land inside it and treat a session outside it as one that does not exist.
    /// </summary>
    InScope,

    /// <summary>A Durable Stream: decided by the kind of its path (<see cref="AccessTable.StreamPaths"/>).</summary>
    ByStreamPath,
}

/// <summary>
/// A route's access policy: who may call it and what a scoped key reaches there. Every endpoint carries one, from
/// <see cref="AccessTable"/>; <see cref="ApiAccessFilter"/> enforces it before anything reads a body or the store.
/// </summary>
internal sealed record RouteAccess(Caller Caller, Reach Reach)
{
    /// <summary>The policy of an endpoint <see cref="AccessTable"/> does not list: refused to every caller, and caught by a test.</summary>
    public static RouteAccess Undeclared { get; } = new(Caller.Operator, Reach.FleetWide) { IsDeclared = false };

    /// <summary>False only for <see cref="Undeclared"/>.</summary>
    public bool IsDeclared { get; private init; } = true;

    /// <summary>The key role the caller needs, when it needs a key at all.</summary>
    public Switchboard.Server.Options.ApiKeyRole? NeededRole => Caller switch
    {
        Caller.Operator => Switchboard.Server.Options.ApiKeyRole.Operator,
        Caller.Agent => Switchboard.Server.Options.ApiKeyRole.Agent,
        Caller.Reader or Caller.AnyKey => Switchboard.Server.Options.ApiKeyRole.Read,
        _ => null,
    };
}

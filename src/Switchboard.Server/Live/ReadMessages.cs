namespace Switchboard.Server.Live;

// Reads of live state at the loop's position, and read-your-writes waits. Each read is a message of its own: the loop
// runs no reader's code.

/// <summary>An active session, or null.</summary>
internal sealed record ReadSessionMessage(string Id) : LiveRequest<Switchboard.Core.Sessions.Session?>;

/// <summary>The fleet summary now.</summary>
internal sealed record ReadFleetSummaryMessage : LiveRequest<FleetSummary>;

/// <summary>Whether the fleet is paused.</summary>
internal sealed record ReadFleetPausedMessage : LiveRequest<bool>;

/// <summary>Subscriptions of every connection on this node.</summary>
internal sealed record ReadSubscriptionCountMessage : LiveRequest<int>;

/// <summary>Subscribers of <c>session:{id}</c> on this node.</summary>
internal sealed record ReadWatchersMessage(string SessionId) : LiveRequest<int>;

/// <summary>Completes with true once the loop has applied <see cref="Seq"/> (read-your-writes), or false once <see cref="Timeout"/> passed.</summary>
/// <param name="Since">The <see cref="TimeProvider.GetTimestamp"/> the wait started at.</param>
/// <param name="Timeout">How long after <paramref name="Since"/> the waiter gives up (so none is parked forever).</param>
internal sealed record WaitAppliedMessage(long Seq, long Since, TimeSpan Timeout) : LiveRequest<bool>;

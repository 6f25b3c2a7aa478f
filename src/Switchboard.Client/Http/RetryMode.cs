namespace Switchboard.Client.Http;

/// <summary>How far a request may be repeated after a failure.</summary>
internal enum RetryMode
{
    /// <summary>
    /// Repeating is harmless whatever the first attempt did: reads, heartbeats, the fleet flag, terminate, and
    /// writes whose effect cannot happen twice (a create with a fixed id, a change guarded by expected_version). The
    /// producer's long-poll for commands and its heartbeats hand commands over, and an answer lost on the way loses
    /// none: the server hands a command that is not acknowledged within its visibility timeout (<c>Commands:RedeliverAfter</c>)
    /// over again, to the retry or to any later poll or write answer.
    /// </summary>
    Always,

    /// <summary>
    /// Repeat only when the server provably did not apply the request: the connection was never made, or it
    /// answered 503/429 (nothing persisted). A timeout or a connection lost mid-request is not retried.
    /// </summary>
    IfNotApplied,
}

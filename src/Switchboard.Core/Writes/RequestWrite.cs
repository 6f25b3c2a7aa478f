namespace Switchboard.Core.Writes;

/// <summary>
/// A write about a request to a session (a command, an approval; docs/architecture.md "Requests to a session"): the
/// session it names, whose row the store reads and locks, and the requests it targets, which the store reads with it.
/// </summary>
internal abstract record RequestWrite(string SessionId) : SessionWrite
{
    /// <summary>The ids of the requests this write targets; none when it creates one.</summary>
    public abstract IReadOnlyList<string> RequestIds { get; }
}

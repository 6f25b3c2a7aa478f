using Switchboard.Core.Errors;
using Switchboard.Core.Sessions;
using Switchboard.Core.Streams;

namespace Switchboard.Core.Writes;

/// <summary>A session's list of durable streams: what a stream's create, close or delete does to it.</summary>
internal static partial class SessionTransitions
{
    /// <summary>The reason <c>session_updated</c> carries when only the session's streams changed.</summary>
    public const string StreamsReason = "streams";

    /// <summary>
    /// Whether a session stream write may run against <paramref name="current"/>: the session must exist, and a create
    /// needs it not to have ended (its streams were closed with it). Null when it may.
    /// </summary>
    public static SwitchboardError? StreamPrecheck(WriteSessionStream write, Session? current)
    {
        if (current is null)
        {
            return SwitchboardError.SessionNotFound(write.SessionId);
        }

        return write.Stream is CreateStream && current.State == SessionState.Terminated
            ? new(ErrorKind.Conflict, "session_ended", $"Session '{write.SessionId}' has ended; its streams are closed and no new one can be created in it.")
            : null;
    }

    /// <summary>
    /// The session after <paramref name="outcome"/> of a write to its stream <paramref name="name"/>: the entry follows the
    /// stream as the write left it (added or updated for a create, a close, or a create that found it unlisted; removed
    /// when deleted). A new version with <c>session_updated</c> when the list changed; nothing otherwise. A session that
    /// has ended keeps the list it ended with.
    /// </summary>
    public static WriteDecision StreamChanged(Session current, string name, StreamOutcome outcome, in WriteContext ctx)
    {
        if (current.State == SessionState.Terminated || !outcome.Succeeded)
        {
            return WriteDecision.Unchanged(current);
        }

        var list = current.Streams.Where(s => s.Name != name).ToList();
        if (outcome.Status != StreamStatus.Deleted && outcome.Stream is { } row)
        {
            list.Add(new SessionStream(name, row.ContentType, row.Closed));
            list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        }

        if (SessionFields.Streams.Equal(current.Streams, list))
        {
            return WriteDecision.Unchanged(current);
        }

        return Changed(current, current with { Streams = list }, StreamsReason, ctx);
    }

    /// <summary>A session's streams as its end leaves them: every one closed, in the same commit (<c>IStoreTransaction.EndSessionStreamsAsync</c>).</summary>
    private static IReadOnlyList<SessionStream> ClosedWithSession(IReadOnlyList<SessionStream> streams) =>
        streams.All(s => s.Closed) ? streams : [.. streams.Select(s => s with { Closed = true })];
}

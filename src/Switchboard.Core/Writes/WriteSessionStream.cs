using Switchboard.Core.Streams;

namespace Switchboard.Core.Writes;

/// <summary>
/// A durable-stream write that may change a session's list of streams: the create, close or delete of
/// <c>sessions/{SessionId}/{Name}</c>. It commits in the session write transaction, so the stream's change and the
/// session's (its <c>streams</c>, a new version, <c>session_updated</c>) are one commit, ordered with the session's other
/// writes: a create after the session's end, even in the same commit, is refused and leaves no stream (docs/streams.md).
/// Plain appends do not change the session and commit as stream writes. Issued by the server's stream endpoints.
/// </summary>
internal sealed record WriteSessionStream(string SessionId, string Name, StreamWrite Stream) : SessionWrite;

namespace Switchboard.Client;

/// <summary>
/// What a subscription yields: <see cref="SwitchboardEvent"/>s, plus <see cref="SnapshotReset"/> whenever a fresh
/// snapshot replaces the stream and <see cref="Resumed"/> when a (re)join continued exactly where it left off.
/// </summary>
public abstract record StreamItem;

/// <summary>
/// The stream starts over from a snapshot: on the first join, and whenever a resume could not be served exactly
/// (retention passed, another epoch, too far behind). Discard local state derived from earlier events and rebuild it
/// from <see cref="Snapshot"/>; events that follow continue from <see cref="JoinSnapshot.Seq"/>.
/// </summary>
/// <param name="Snapshot">The join reply's snapshot.</param>
/// <param name="ResumeRequested">True when the client asked to resume and got a snapshot instead: events in between were not delivered.</param>
public sealed record SnapshotReset(JoinSnapshot Snapshot, bool ResumeRequested) : StreamItem;

/// <summary>A (re)join resumed exactly: the <paramref name="Replayed"/> missed events follow, then live ones, with no gap.</summary>
/// <param name="Since">The seq the join resumed after.</param>
/// <param name="Epoch">The log's epoch.</param>
/// <param name="Replayed">How many missed events are replayed.</param>
/// <param name="Reconnects">How many times this subscription has reconnected so far.</param>
public sealed record Resumed(long Since, string Epoch, int Replayed, int Reconnects) : StreamItem;

/// <summary>A join reply's snapshot.</summary>
public sealed record JoinSnapshot
{
    /// <summary>The log position the snapshot reflects; events that follow have a higher seq.</summary>
    public long Seq { get; init; }

    /// <summary>The log's epoch.</summary>
    public required string Epoch { get; init; }

    /// <summary>The summary (topics <c>sessions</c> and <c>summary</c>).</summary>
    public Summary? Summary { get; init; }

    /// <summary>The newest active sessions (topic <c>sessions</c>); more follow from <see cref="NextCursor"/>.</summary>
    public IReadOnlyList<Session>? Sessions { get; init; }

    /// <summary>When not null, fetch the remaining active sessions with <c>GET /api/sessions?active=true&amp;cursor=…</c>.</summary>
    public string? NextCursor { get; init; }

    /// <summary>The session (topic <c>session:{id}</c>); null if it does not exist yet.</summary>
    public Session? Session { get; init; }

    /// <summary>
    /// A subtree subscription (<see cref="SubscribeOptions.Subtree"/>): the first page of the session's descendants in tree
    /// order, as of <see cref="Seq"/>; when <see cref="NextCursor"/> is set, read the rest with
    /// <see cref="SwitchboardClient.GetSubtreeAsync"/>.
    /// </summary>
    public IReadOnlyList<Session>? Descendants { get; init; }
}

namespace Switchboard.Client;

/// <summary>Filters for listing sessions; they combine with AND.</summary>
public sealed record SessionQuery
{
    /// <summary>Only these states.</summary>
    public IReadOnlyList<SessionState>? States { get; init; }

    /// <summary>Only sessions that carry every one of these labels.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>True: only active sessions; false: only terminated ones; null: both.</summary>
    public bool? Active { get; init; }

    /// <summary>Only the children of this session.</summary>
    public string? ParentId { get; init; }

    /// <summary>True: only root sessions (no parent); false: only sessions with a parent; null: both.</summary>
    public bool? Roots { get; init; }

    /// <summary>Page size (1–1000; the server's default when null).</summary>
    public int? Limit { get; init; }

    /// <summary>Continue after a previous page: its <see cref="SessionPage.NextCursor"/>.</summary>
    public string? Cursor { get; init; }
}

/// <summary>One page of sessions, newest first.</summary>
/// <param name="Sessions">The sessions.</param>
/// <param name="NextCursor">Pass as <see cref="SessionQuery.Cursor"/> for the next page; null on the last page.</param>
public sealed record SessionPage(IReadOnlyList<Session> Sessions, string? NextCursor)
{
    /// <summary>The log position the page was read at: its sessions (their subtree totals included) are as of this seq.</summary>
    public long AsOfSeq { get; init; }
}

/// <summary>One page of a subtree in tree order: each parent right before its own subtree, the session itself first.</summary>
/// <param name="AsOfSeq">The log position the page was read at.</param>
/// <param name="Sessions">The sessions of the page.</param>
/// <param name="NextCursor">Pass to <see cref="SwitchboardClient.GetSubtreeAsync"/> for the next page; null on the last page.</param>
public sealed record SubtreePage(long AsOfSeq, IReadOnlyList<Session> Sessions, string? NextCursor);

/// <summary>Session counts.</summary>
/// <param name="ActiveSessions">Sessions in any state but terminated.</param>
/// <param name="TotalSessions">Every session.</param>
public sealed record SessionCount(long ActiveSessions, long TotalSessions);

/// <summary>The answer to a heartbeat.</summary>
/// <param name="Id">The session.</param>
/// <param name="State">Its state; <see cref="SessionState.Unknown"/> for one this client does not know (<see cref="HeartbeatResult.StateName"/>).</param>
/// <param name="LeaseSeconds">Its lease, or null.</param>
/// <param name="LeaseExpiresAt">When the renewed lease runs out, or null.</param>
public sealed record HeartbeatResult(string Id, SessionState State, int? LeaseSeconds, DateTimeOffset? LeaseExpiresAt)
{
    private readonly string? _stateName;

    /// <summary>The state's wire name as the server sent it, kept also for a state this client does not know.</summary>
    public string StateName
    {
        get => _stateName ?? State.ToWire();
        init => _stateName = value;
    }

    /// <summary>The session's outstanding commands: pending ones were handed over by this heartbeat, delivered ones come again until acknowledged.</summary>
    public IReadOnlyList<SessionCommand> Commands { get; init; } = [];
}

/// <summary>One page of the event log.</summary>
/// <param name="Epoch">The log's epoch.</param>
/// <param name="HeadSeq">The newest seq in the log.</param>
/// <param name="Events">Events after the requested seq, in order.</param>
/// <param name="NextSince">Pass as <c>since</c> for the next page.</param>
/// <param name="HasMore">True when more events follow.</param>
public sealed record EventPage(string Epoch, long HeadSeq, IReadOnlyList<SwitchboardEvent> Events, long NextSince, bool HasMore);

/// <summary>A position in the event log: resume after <paramref name="Seq"/>.</summary>
/// <param name="Seq">The last seq seen.</param>
/// <param name="Epoch">The log's epoch; null means "the server's current epoch" (looked up before the first join).</param>
public readonly record struct StreamPosition(long Seq, string? Epoch = null)
{
    /// <summary>A seq in the server's current log: <c>SubscribeAsync("sessions", since: 42)</c>.</summary>
    public static implicit operator StreamPosition(long seq) => new(seq);

    /// <summary>A seq in the server's current log.</summary>
    public static StreamPosition FromInt64(long seq) => new(seq);
}

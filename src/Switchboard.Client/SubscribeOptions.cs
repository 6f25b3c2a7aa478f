namespace Switchboard.Client;

/// <summary>Settings of one subscription.</summary>
public sealed record SubscribeOptions
{
    /// <summary>Topic <c>sessions</c> only: receive only sessions that carry all these labels.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>
    /// Topics <c>sessions</c> and a subtree: how many sessions the join snapshot carries (0–1000; server default 100).
    /// </summary>
    public int? SnapshotLimit { get; init; }

    /// <summary>
    /// Topic <c>session:{id}</c> only: follow the session's whole subtree — a snapshot of it (<see cref="JoinSnapshot.Descendants"/>),
    /// then the events of the session and of every descendant, resumed by seq like any topic.
    /// </summary>
    public bool Subtree { get; init; }

    /// <summary>Phoenix heartbeat interval; a heartbeat unanswered by the next one drops the connection. Default 30 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for a connection and its join reply before trying again. Default 10 s.</summary>
    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay; it doubles per failed attempt, with jitter. Default 100 ms.</summary>
    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest reconnect delay. Default 5 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Called when a connection attempt failed or a connection ended, before the subscription waits to reconnect: the
    /// failure (null when the server ended the channel) and the wait. For status output; the subscription recovers on its
    /// own and resumes by seq. Runs on the subscription's loop, so it must return quickly; an exception it throws is ignored.
    /// </summary>
    public Action<Exception?, TimeSpan>? OnReconnecting { get; init; }
}

using Switchboard.Core.Hosting;

namespace Switchboard.Server.Commands.Options;

/// <summary>Commands to agents (<c>Switchboard:Commands</c>). See docs/commands.md.</summary>
public sealed class CommandOptions
{
    /// <summary>
    /// Long-polls (<c>GET /api/sessions/{id}/commands?wait=N</c>) that may wait on this node at once; past it a new one gets
    /// 503 with <c>Retry-After</c>. Default 10,000.
    /// </summary>
    public int MaxWaiters { get; set; } = SwitchboardDefaults.CommandMaxWaiters;

    /// <summary>The longest <c>wait</c> a long-poll may ask for, in seconds (1–300). Default 60.</summary>
    public int MaxWaitSeconds { get; set; } = SwitchboardDefaults.CommandMaxWaitSeconds;

    /// <summary>
    /// The most commands one session may have outstanding (pending or delivered, not yet expired); past it an issue is
    /// 429 <c>too_many_commands</c>, and a rule's action is not issued (its alert says so). One hand-over (a write answer, a
    /// long-poll) carries at most this many. 1–10,000; default 100.
    /// </summary>
    public int MaxOutstandingPerSession { get; set; } = SwitchboardDefaults.CommandMaxOutstandingPerSession;

    /// <summary>
    /// A hand-over's visibility timeout: a delivered command its producer has not acknowledged within it is handed over
    /// again (at least once), with the next attempt. Shorter than a command's default expiry (5 minutes); default 30 s.
    /// </summary>
    public TimeSpan RedeliverAfter { get; set; } = SwitchboardDefaults.CommandRedeliverAfter;
}

namespace Switchboard.Options;

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
}

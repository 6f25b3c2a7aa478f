using Switchboard.Core.Hosting;

namespace Switchboard.Core.Streams;

/// <summary>
/// What the write transaction needs to know of durable streams' settings: how long a session's streams stay readable
/// after the session ends (<c>Switchboard:Streams:RetainAfterEnd</c>). It travels to the store as the usage settings do.
/// </summary>
internal sealed record StreamPolicy(TimeSpan RetainAfterEnd)
{
    public static StreamPolicy Default { get; } = new(SwitchboardDefaults.StreamRetainAfterEnd);
}

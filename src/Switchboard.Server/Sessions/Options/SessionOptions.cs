using Switchboard.Core.Hosting;

namespace Switchboard.Server.Sessions.Options;

/// <summary>Session rules (<c>Switchboard:Sessions</c>).</summary>
public sealed class SessionOptions
{
    /// <summary>
    /// The deepest level a session may be below its root (a root is at 0): a create whose parent is already at this depth is
    /// refused. Default 32, at most 64.
    /// </summary>
    public int MaxTreeDepth { get; set; } = SwitchboardDefaults.MaxTreeDepth;
}

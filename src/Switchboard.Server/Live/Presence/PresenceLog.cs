using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Live.Presence;

/// <summary>Log messages of sharing presence with the other nodes (<see cref="LogEventIds.Live"/>, with the live loop's).</summary>
internal static partial class PresenceLog
{
    [LoggerMessage(LogEventIds.Live + 11, LogLevel.Warning, "Presence could not be shared with the other nodes; retrying (viewers on other nodes may be stale until then)", EventName = "Live.PresenceSyncFailed")]
    public static partial void PresenceSyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogEventIds.Live + 12, LogLevel.Information, "Presence is shared with the other nodes again", EventName = "Live.PresenceSyncRecovered")]
    public static partial void PresenceSyncRecovered(ILogger logger);
}

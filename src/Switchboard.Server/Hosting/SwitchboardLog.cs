using Microsoft.Extensions.Logging;

namespace Switchboard.Hosting;

/// <summary>Switchboard's log messages. Event ids are stable; never log tokens, keys or message bodies.</summary>
internal static partial class SwitchboardLog
{
    [LoggerMessage(1, LogLevel.Information, "Switchboard started: store {Store}, epoch {Epoch}, head seq {HeadSeq}, {Active} active sessions")]
    public static partial void Started(ILogger logger, string store, string epoch, long headSeq, int active);

    [LoggerMessage(2, LogLevel.Information, "Switchboard stopping: closing {Connections} stream connections with 1001")]
    public static partial void Stopping(ILogger logger, int connections);

    [LoggerMessage(3, LogLevel.Warning, "Lease of session {SessionId} expired; moved to error")]
    public static partial void LeaseExpired(ILogger logger, string sessionId);

    [LoggerMessage(4, LogLevel.Warning, "Lease check failed")]
    public static partial void LeaseCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Information, "Retention purged {Count} events")]
    public static partial void Purged(ILogger logger, long count);

    [LoggerMessage(6, LogLevel.Warning, "Retention purge failed")]
    public static partial void PurgeFailed(ILogger logger, Exception exception);
}

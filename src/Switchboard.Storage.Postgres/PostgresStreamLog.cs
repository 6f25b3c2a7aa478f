using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Storage.Postgres;

/// <summary>The stream listener's log messages (<see cref="LogEventIds.Postgres"/>, from +50).</summary>
internal static partial class PostgresStreamLog
{
    [LoggerMessage(LogEventIds.Postgres + 50, LogLevel.Warning, "The stream listener lost its PostgreSQL connection; reconnecting in {DelayMs} ms",
        EventName = "Postgres.StreamListenerDisconnected")]
    public static partial void Disconnected(ILogger logger, long delayMs, Exception exception);

    [LoggerMessage(LogEventIds.Postgres + 51, LogLevel.Information, "The stream listener reconnected after {Attempts} attempts; live readers read their streams again",
        EventName = "Postgres.StreamListenerReconnected")]
    public static partial void Reconnected(ILogger logger, int attempts);
}

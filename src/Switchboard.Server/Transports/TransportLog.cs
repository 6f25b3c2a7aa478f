using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Transports;

/// <summary>Stream connections' log messages (<see cref="LogEventIds.Transports"/>). Never logs tokens or message bodies.</summary>
internal static partial class TransportLog
{
    [LoggerMessage(LogEventIds.Transports + 0, LogLevel.Debug, "{Transport} connection opened; {Connections} stream connections open", EventName = "Transports.Opened")]
    public static partial void Opened(ILogger logger, string transport, int connections);

    [LoggerMessage(LogEventIds.Transports + 1, LogLevel.Debug, "{Transport} connection closed: {Reason}", EventName = "Transports.Closed")]
    public static partial void Closed(ILogger logger, string transport, string reason);

    [LoggerMessage(LogEventIds.Transports + 2, LogLevel.Debug, "{Transport} connection cut off as a slow consumer: its send queue reached its cap", EventName = "Transports.SlowConsumer")]
    public static partial void SlowConsumer(ILogger logger, string transport);

    [LoggerMessage(LogEventIds.Transports + 3, LogLevel.Debug, "{Transport} connection closed for a protocol violation ({Code}): {Reason}", EventName = "Transports.ProtocolViolation")]
    public static partial void ProtocolViolation(ILogger logger, string transport, int code, string reason);

    [LoggerMessage(LogEventIds.Transports + 4, LogLevel.Error, "A {Transport} connection's read loop crashed; the connection was dropped", EventName = "Transports.ReadLoopCrashed")]
    public static partial void ReadLoopCrashed(ILogger logger, string transport, Exception exception);

    [LoggerMessage(LogEventIds.Transports + 5, LogLevel.Error, "Writing to a {Transport} connection failed unexpectedly; the connection was dropped", EventName = "Transports.WriteFailed")]
    public static partial void WriteFailed(ILogger logger, string transport, Exception exception);

    [LoggerMessage(LogEventIds.Transports + 6, LogLevel.Debug, "{Transport} connection told to reconnect: {Reason}", EventName = "Transports.Reset")]
    public static partial void Reset(ILogger logger, string transport, string reason);

    [LoggerMessage(LogEventIds.Transports + 7, LogLevel.Debug, "Refused a {Transport} connection: {Reason}", EventName = "Transports.Refused")]
    public static partial void Refused(ILogger logger, string transport, string reason);
}

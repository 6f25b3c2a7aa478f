using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Streams;

/// <summary>Durable Streams: live readers and the sweeper (<see cref="LogEventIds.Streams"/>).</summary>
internal static partial class StreamLog
{
    [LoggerMessage(LogEventIds.Streams + 0, LogLevel.Warning, "{Max} live stream reads already wait on this node; refusing more with 503 until some end",
        EventName = "Streams.ReadersFull")]
    public static partial void ReadersFull(ILogger logger, int max);

    [LoggerMessage(LogEventIds.Streams + 1, LogLevel.Information, "Live stream readers read again: {Reason}", EventName = "Streams.Resync")]
    public static partial void Resync(ILogger logger, string reason);

    [LoggerMessage(LogEventIds.Streams + 2, LogLevel.Warning, "Sweeping expired and deleted streams failed; the next sweep retries", EventName = "Streams.SweepFailed")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogEventIds.Streams + 3, LogLevel.Debug, "Expired {Count} streams", EventName = "Streams.Expired")]
    public static partial void Expired(ILogger logger, int count);

}

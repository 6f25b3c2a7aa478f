using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Live;

/// <summary>The live loop's log messages (<see cref="LogEventIds.Live"/>). Never logs message bodies or tokens.</summary>
internal static partial class LiveLog
{
    [LoggerMessage(LogEventIds.Live + 0, LogLevel.Debug, "Live loop started: epoch {Epoch}, head seq {HeadSeq}", EventName = "Live.LoopStarted")]
    public static partial void LoopStarted(ILogger logger, string epoch, long headSeq);

    [LoggerMessage(LogEventIds.Live + 1, LogLevel.Debug, "Live loop stopped at seq {HeadSeq}", EventName = "Live.LoopStopped")]
    public static partial void LoopStopped(ILogger logger, long headSeq);

    [LoggerMessage(LogEventIds.Live + 2, LogLevel.Error, "The live loop failed to handle a {Kind} message; it was answered with the error", EventName = "Live.MessageFailed")]
    public static partial void MessageFailed(ILogger logger, string kind, Exception exception);

    [LoggerMessage(LogEventIds.Live + 3, LogLevel.Error, "The live loop's fan-out failed after seq {HeadSeq}; resetting subscriptions and rebuilding live state from the store", EventName = "Live.LoopFaulted")]
    public static partial void LoopFaulted(ILogger logger, long headSeq, Exception exception);

    [LoggerMessage(LogEventIds.Live + 4, LogLevel.Information, "Live state rebuilt from the store at seq {HeadSeq}; {Connections} connections were told to reconnect and resume", EventName = "Live.Recovered")]
    public static partial void Recovered(ILogger logger, long headSeq, int connections);

    [LoggerMessage(LogEventIds.Live + 5, LogLevel.Critical, "The live loop faulted {Faults} times within {Seconds} s; stopping the node rather than serve without live delivery", EventName = "Live.GivingUp")]
    public static partial void GivingUp(ILogger logger, int faults, int seconds);

    [LoggerMessage(LogEventIds.Live + 6, LogLevel.Warning, "{Reason}; rebuilding live state from the store", EventName = "Live.LogMoved")]
    public static partial void LogMoved(ILogger logger, string reason);

    [LoggerMessage(LogEventIds.Live + 7, LogLevel.Error, "Rebuilding live state failed: the store could not be read; retrying", EventName = "Live.ReloadFailed")]
    public static partial void ReloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogEventIds.Live + 8, LogLevel.Critical, "The live loop crashed; the node stops", EventName = "Live.LoopCrashed")]
    public static partial void LoopCrashed(ILogger logger, Exception exception);

    [LoggerMessage(LogEventIds.Live + 9, LogLevel.Debug, "Fan-out is {LagMs} ms behind with {Pending} events waiting: writes wait", EventName = "Live.WritesThrottled")]
    public static partial void WritesThrottled(ILogger logger, long lagMs, long pending);

    [LoggerMessage(LogEventIds.Live + 10, LogLevel.Debug, "Fan-out caught up ({Pending} events waiting): writes resume", EventName = "Live.WritesResumed")]
    public static partial void WritesResumed(ILogger logger, long pending);


    [LoggerMessage(LogEventIds.Live + 21, LogLevel.Warning, "Join of {Topic} failed: the store is unavailable", EventName = "Live.JoinStoreUnavailable")]
    public static partial void JoinStoreUnavailable(ILogger logger, string topic, Exception exception);

    [LoggerMessage(LogEventIds.Live + 22, LogLevel.Error, "Join of {Topic} crashed", EventName = "Live.JoinCrashed")]
    public static partial void JoinCrashed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(LogEventIds.Live + 23, LogLevel.Warning, "Joins refused because too many wait for the live loop ({Refused} so far): {Reason}", EventName = "Live.JoinsRefused")]
    public static partial void JoinsRefused(ILogger logger, long refused, string reason);
}

using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Phoenix;

/// <summary>The Phoenix channel layer's log messages (<see cref="LogEventIds.Phoenix"/>). Never logs payloads or tokens.</summary>
internal static partial class PhoenixLog
{
    [LoggerMessage(LogEventIds.Phoenix + 0, LogLevel.Debug, "Channel {Topic} joined (join ref {JoinRef})", EventName = "Phoenix.Joined")]
    public static partial void Joined(ILogger logger, string topic, string? joinRef);

    [LoggerMessage(LogEventIds.Phoenix + 1, LogLevel.Debug, "Channel {Topic} left", EventName = "Phoenix.Left")]
    public static partial void Left(ILogger logger, string topic);

    [LoggerMessage(LogEventIds.Phoenix + 2, LogLevel.Debug, "Join of {Topic} refused: {Reason}", EventName = "Phoenix.JoinRefused")]
    public static partial void JoinRefused(ILogger logger, string topic, string reason);

    [LoggerMessage(LogEventIds.Phoenix + 3, LogLevel.Error, "Handling a {Event} message on {Topic} crashed; the client was answered with an error", EventName = "Phoenix.MessageCrashed")]
    public static partial void MessageCrashed(ILogger logger, string @event, string topic, Exception exception);
}

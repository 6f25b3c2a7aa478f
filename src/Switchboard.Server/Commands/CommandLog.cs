using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Commands;

/// <summary>Commands: the long-poll watch and the expiry job (<see cref="LogEventIds.Commands"/>).</summary>
internal static partial class CommandLog
{
    [LoggerMessage(LogEventIds.Commands + 0, LogLevel.Debug, "Command watch started at seq {Seq}", EventName = "Commands.WatchStarted")]
    public static partial void WatchStarted(ILogger logger, long seq);

    // Commands + 1 (Commands.WatchCrashed) is retired: the watch is supervised, and its failure is Hosting.LoopRestarting.

    [LoggerMessage(LogEventIds.Commands + 2, LogLevel.Warning, "Expiring commands failed; the next check retries", EventName = "Commands.ExpiryFailed")]
    public static partial void ExpiryFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogEventIds.Commands + 3, LogLevel.Information, "Command {CommandId} of session {SessionId} expired before it was acknowledged",
        EventName = "Commands.Expired")]
    public static partial void Expired(ILogger logger, string commandId, string sessionId);

    [LoggerMessage(LogEventIds.Commands + 4, LogLevel.Warning, "{Max} long-polls already wait for commands; refusing more with 503 until some end",
        EventName = "Commands.WaitersFull")]
    public static partial void WaitersFull(ILogger logger, int max);

    [LoggerMessage(LogEventIds.Commands + 5, LogLevel.Information, "Command watch resynchronising: {Reason}", EventName = "Commands.Resync")]
    public static partial void Resync(ILogger logger, string reason);

    [LoggerMessage(LogEventIds.Commands + 80, LogLevel.Warning, "Ending due requests to sessions failed; the next check retries",
        EventName = "Commands.RequestExpiryFailed")]
    public static partial void RequestExpiryFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogEventIds.Commands + 70, LogLevel.Warning,
        "Keys of scope {Scope} hold {Held} of this node's {Max} waiters, as many as are left free for other scopes; refusing them more with 503 until some end",
        EventName = "Commands.WaiterShareFull")]
    public static partial void WaiterShareFull(ILogger logger, string scope, int held, int max);
}

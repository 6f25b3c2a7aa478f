using Microsoft.Extensions.Logging;
using Switchboard.Diagnostics;

namespace Switchboard.Hooks;

/// <summary>Coding agents' hooks (<see cref="LogEventIds.Hooks"/>).</summary>
internal static partial class HookLog
{
    [LoggerMessage(LogEventIds.Hooks + 0, LogLevel.Debug, "A {Agent} hook request was refused: {Reason}", EventName = "Hooks.Refused")]
    public static partial void Refused(ILogger logger, string agent, string reason);
}

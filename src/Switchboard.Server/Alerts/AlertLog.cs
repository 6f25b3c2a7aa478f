using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Alerts;

/// <summary>The alert evaluator (<see cref="LogEventIds.Alerts"/>).</summary>
internal static partial class AlertLog
{
    [LoggerMessage(LogEventIds.Alerts + 0, LogLevel.Debug, "Alert evaluator started at seq {Seq} with {Rules} rules, {Sessions} active sessions and {Open} open alerts", EventName = "Alerts.Started")]
    public static partial void Started(ILogger logger, long seq, int rules, int sessions, int open);

    [LoggerMessage(LogEventIds.Alerts + 1, LogLevel.Information, "Alert {AlertId} raised by rule {RuleId} about {Subject}", EventName = "Alerts.Raised")]
    public static partial void Raised(ILogger logger, string alertId, string ruleId, string subject);

    [LoggerMessage(LogEventIds.Alerts + 2, LogLevel.Information, "Alert of rule {RuleId} about {Subject} resolved ({Reason})", EventName = "Alerts.Resolved")]
    public static partial void Resolved(ILogger logger, string ruleId, string subject, string reason);

    [LoggerMessage(LogEventIds.Alerts + 3, LogLevel.Error, "The alert evaluator failed handling {Kind}; it goes on with the next message", EventName = "Alerts.MessageFailed")]
    public static partial void MessageFailed(ILogger logger, string kind, Exception exception);

    [LoggerMessage(LogEventIds.Alerts + 4, LogLevel.Warning, "Alert writes failed; retrying in {Seconds} s", EventName = "Alerts.WriteFailed")]
    public static partial void WriteFailed(ILogger logger, int seconds, Exception exception);

    [LoggerMessage(LogEventIds.Alerts + 5, LogLevel.Warning, "Could not read the stored alert rules; keeping the previous ones", EventName = "Alerts.RulesLoadFailed")]
    public static partial void RulesLoadFailed(ILogger logger, Exception exception);

    // Alerts + 6 (Alerts.Crashed) is retired: the evaluator is supervised, and its failure is Hosting.LoopRestarting.

    [LoggerMessage(LogEventIds.Alerts + 7, LogLevel.Information, "Alert evaluator resynchronising with the live state: {Reason}", EventName = "Alerts.Resync")]
    public static partial void Resync(ILogger logger, string reason);

    [LoggerMessage(LogEventIds.Alerts + 8, LogLevel.Warning, "Alert {AlertId} of rule {RuleId} was raised without its action's command to session {SessionId}: {Reason}",
        EventName = "Alerts.ActionSkipped")]
    public static partial void ActionSkipped(ILogger logger, string alertId, string ruleId, string? sessionId, string reason);
}

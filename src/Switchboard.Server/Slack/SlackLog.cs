using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Slack;

/// <summary>The Slack app (<see cref="LogEventIds.Slack"/>, +0 to +49). Never logs the token, the secret or a message's text.</summary>
internal static partial class SlackLog
{
    [LoggerMessage(LogEventIds.Slack + 0, LogLevel.Information, "Slack: approvals are posted to {Channel}; {Operators} Slack user(s) may answer", EventName = "Slack.Started")]
    public static partial void Started(ILogger logger, string channel, int operators);

    [LoggerMessage(LogEventIds.Slack + 1, LogLevel.Warning, "Slack: {Method} for approval {Approval} failed ({Error}); the message is not {What}", EventName = "Slack.CallFailed")]
    public static partial void CallFailed(ILogger logger, string method, string approval, string error, string what);

    [LoggerMessage(LogEventIds.Slack + 2, LogLevel.Information, "Slack: rate limited on {Method}; waiting {Seconds} s as Slack asks (Retry-After)", EventName = "Slack.RateLimited")]
    public static partial void RateLimited(ILogger logger, string method, int seconds);

    [LoggerMessage(LogEventIds.Slack + 3, LogLevel.Warning, "Slack: {Queued} messages already wait to be sent; the one for approval {Approval} is dropped, and every other until one fits again", EventName = "Slack.QueueFull")]
    public static partial void QueueFull(ILogger logger, int queued, string approval);

    [LoggerMessage(LogEventIds.Slack + 4, LogLevel.Debug, "Slack: approval {Approval} ended ({State}); its message is not this node's to update (another node claimed it, it is updated already, or it was never posted)", EventName = "Slack.NotUpdated")]
    public static partial void NotUpdated(ILogger logger, string approval, string state);

    [LoggerMessage(LogEventIds.Slack + 5, LogLevel.Warning, "Slack: the live loop rebuilt its state ({Why}); approvals that ended meanwhile may keep their buttons", EventName = "Slack.Resync")]
    public static partial void Resync(ILogger logger, string why);

    [LoggerMessage(LogEventIds.Slack + 6, LogLevel.Error, "Slack: the {Loop} loop failed; it starts again in {DelayMs} ms", EventName = "Slack.LoopFailed")]
    public static partial void LoopFailed(ILogger logger, string loop, long delayMs, Exception exception);

    [LoggerMessage(LogEventIds.Slack + 7, LogLevel.Warning, "Slack: a click was refused: {Why}", EventName = "Slack.ClickRefused")]
    public static partial void ClickRefused(ILogger logger, string why);

    [LoggerMessage(LogEventIds.Slack + 8, LogLevel.Warning, "Slack: Slack user {User} is not mapped to an operator (Switchboard:Slack:Operators); their click on approval {Approval} was refused", EventName = "Slack.UnmappedUser")]
    public static partial void UnmappedUser(ILogger logger, string user, string approval);

    [LoggerMessage(LogEventIds.Slack + 9, LogLevel.Information, "Slack: {Operator} (Slack user {User}) answered approval {Approval}: {Decision}", EventName = "Slack.Answered")]
    public static partial void Answered(ILogger logger, string @operator, string user, string approval, string decision);

    [LoggerMessage(LogEventIds.Slack + 10, LogLevel.Warning, "Slack: the answer of {Operator} (Slack user {User}) to approval {Approval} was refused: {Code}", EventName = "Slack.AnswerRefused")]
    public static partial void AnswerRefused(ILogger logger, string @operator, string user, string approval, string code);

    [LoggerMessage(LogEventIds.Slack + 20, LogLevel.Warning, "Slack: the store could not claim or record the message of approval {Approval} ({Error}); it is let go", EventName = "Slack.StoreFailed")]
    public static partial void StoreFailed(ILogger logger, string approval, string error);

    [LoggerMessage(LogEventIds.Slack + 21, LogLevel.Information, "Slack: approval {Approval}'s message was claimed by a node that is gone and left undone; this node takes it over", EventName = "Slack.TakenOver")]
    public static partial void TakenOver(ILogger logger, string approval);

    [LoggerMessage(LogEventIds.Slack + 22, LogLevel.Warning, "Slack: looking for messages a gone node left undone failed; the next look tries again", EventName = "Slack.LeftoversFailed")]
    public static partial void LeftoversFailed(ILogger logger, Exception exception);
}

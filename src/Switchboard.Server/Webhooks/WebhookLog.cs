using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Webhooks;

/// <summary>Webhook delivery (<see cref="LogEventIds.Webhooks"/>). Never logs secrets or bodies.</summary>
internal static partial class WebhookLog
{
    [LoggerMessage(LogEventIds.Webhooks + 0, LogLevel.Debug, "Webhook {Endpoint}: this node delivers it from seq {Cursor}", EventName = "Webhooks.Claimed")]
    public static partial void Claimed(ILogger logger, string endpoint, long cursor);

    [LoggerMessage(LogEventIds.Webhooks + 1, LogLevel.Warning, "Webhook {Endpoint}: delivery of seq {Seq} failed ({Error}); attempt {Attempt} of {Max}, next in {DelayMs} ms", EventName = "Webhooks.AttemptFailed")]
    public static partial void AttemptFailed(ILogger logger, string endpoint, long seq, string error, int attempt, int max, long delayMs);

    [LoggerMessage(LogEventIds.Webhooks + 2, LogLevel.Error, "Webhook {Endpoint}: seq {Seq} failed {Attempts} times; the endpoint is failing and keeps its cursor until replayed", EventName = "Webhooks.Failing")]
    public static partial void Failing(ILogger logger, string endpoint, long seq, int attempts);

    [LoggerMessage(LogEventIds.Webhooks + 3, LogLevel.Error, "Webhook {Endpoint}: the delivery loop failed; it starts again", EventName = "Webhooks.LoopFailed")]
    public static partial void LoopFailed(ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(LogEventIds.Webhooks + 4, LogLevel.Warning, "Webhooks: could not read the endpoints", EventName = "Webhooks.ListFailed")]
    public static partial void ListFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogEventIds.Webhooks + 5, LogLevel.Information, "Webhook {Endpoint}: another node holds it now", EventName = "Webhooks.LostLease")]
    public static partial void LostLease(ILogger logger, string endpoint);

    [LoggerMessage(LogEventIds.Webhooks + 6, LogLevel.Warning, "Webhooks: could not read the endpoints' state for the webhooks topic; retrying every second (its followers see the last state until then)", EventName = "Webhooks.StatusFailed")]
    public static partial void StatusFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogEventIds.Webhooks + 7, LogLevel.Information, "Webhooks: the webhooks topic reads the endpoints' state again", EventName = "Webhooks.StatusRecovered")]
    public static partial void StatusRecovered(ILogger logger);
}

using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Otlp;

/// <summary>OpenTelemetry in: the receivers and the quiet monitor (<see cref="LogEventIds.Otlp"/>).</summary>
internal static partial class OtlpLog
{
    [LoggerMessage(LogEventIds.Otlp + 0, LogLevel.Information, "OTLP/gRPC listening on {Address}", EventName = "Otlp.GrpcListening")]
    public static partial void GrpcListening(ILogger logger, string address);

    [LoggerMessage(LogEventIds.Otlp + 1, LogLevel.Warning, "The default OTLP/gRPC address {Address} could not be bound ({Reason}); running without OTLP/gRPC (OTLP/HTTP on the main listener still works). Set Switchboard__Otlp__GrpcUrls to another address, or to an empty value to turn this off", EventName = "Otlp.GrpcDefaultUnavailable")]
    public static partial void GrpcDefaultUnavailable(ILogger logger, string address, string reason);

    [LoggerMessage(LogEventIds.Otlp + 2, LogLevel.Debug, "OTLP {Signal} request refused: {Reason}", EventName = "Otlp.Refused")]
    public static partial void Refused(ILogger logger, string signal, string reason);

    [LoggerMessage(LogEventIds.Otlp + 3, LogLevel.Warning, "The OTLP quiet monitor could not move quiet sessions to idle or terminated; it retries on its next tick", EventName = "Otlp.QuietCheckFailed")]
    public static partial void QuietCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogEventIds.Otlp + 4, LogLevel.Information, "The OTLP quiet monitor works again", EventName = "Otlp.QuietCheckRecovered")]
    public static partial void QuietCheckRecovered(ILogger logger);

    [LoggerMessage(LogEventIds.Otlp + 5, LogLevel.Debug, "OTLP session {SessionId} was quiet for {Quiet}: now {State}", EventName = "Otlp.Quiet")]
    public static partial void Quiet(ILogger logger, string sessionId, TimeSpan quiet, string state);

    // Debug, once per request: the answer to a key's own mistake (or probe), not an operator's problem; an exporter that
    // keeps sending would otherwise let one tenant fill the log.
    [LoggerMessage(LogEventIds.Otlp + 40, LogLevel.Debug,
        "OTLP {Signal}: {Records} records for sessions outside the key's labels scope were dropped and answered as accepted", EventName = "Otlp.OutsideScope")]
    public static partial void OutsideScope(ILogger logger, string signal, long records);
}

using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Ingest;

/// <summary>The group commit's log messages (<see cref="LogEventIds.Ingest"/>).</summary>
internal static partial class IngestLog
{
    [LoggerMessage(LogEventIds.Ingest + 0, LogLevel.Debug, "Write pipeline started", EventName = "Ingest.Started")]
    public static partial void Started(ILogger logger);

    [LoggerMessage(LogEventIds.Ingest + 1, LogLevel.Debug, "Write pipeline stopped after committing {Appended} events", EventName = "Ingest.Stopped")]
    public static partial void Stopped(ILogger logger, long appended);

    [LoggerMessage(LogEventIds.Ingest + 2, LogLevel.Error, "The store could not commit {Writes} writes; writes answer 503 and /readyz reports it until a commit succeeds", EventName = "Ingest.CommitFailed")]
    public static partial void CommitFailed(ILogger logger, int writes, Exception exception);

    [LoggerMessage(LogEventIds.Ingest + 3, LogLevel.Information, "The store commits again", EventName = "Ingest.CommitsRecovered")]
    public static partial void CommitsRecovered(ILogger logger);

    [LoggerMessage(LogEventIds.Ingest + 4, LogLevel.Warning, "Writes are waiting for the fan-out to catch up; {Refused} were refused with 503 after {TimeoutMs} ms so far", EventName = "Ingest.Overloaded")]
    public static partial void Overloaded(ILogger logger, long refused, long timeoutMs);

    // Ingest + 5 (Ingest.LoopCrashed) is retired: the loop is supervised, and its failure is Hosting.LoopRestarting.

    [LoggerMessage(LogEventIds.Ingest + 6, LogLevel.Error, "The store opened but cannot write; writes answer 503 and /readyz reports it until a write succeeds: {Reason}", EventName = "Ingest.StartedUnwritable")]
    public static partial void StartedUnwritable(ILogger logger, string reason);

    [LoggerMessage(LogEventIds.Ingest + 7, LogLevel.Warning, "The database refused a write's values; that write is refused and the others of its commit went in: {Reason}", EventName = "Ingest.WriteRefused")]
    public static partial void WriteRefused(ILogger logger, string reason);
}

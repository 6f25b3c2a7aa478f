using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;
using Switchboard.Core.Hosting;

namespace Switchboard.Server.Hosting;

/// <summary>The node's lifecycle, leases, retention and the process's heaps (<see cref="LogEventIds.Hosting"/>). Never log tokens, keys or message bodies.</summary>
internal static partial class SwitchboardLog
{
    [LoggerMessage(LogEventIds.Hosting + 0, LogLevel.Information, "Switchboard started: store {Store}, epoch {Epoch}, head seq {HeadSeq}, {Active} active sessions", EventName = "Hosting.Started")]
    public static partial void Started(ILogger logger, string store, string epoch, long headSeq, int active);

    [LoggerMessage(LogEventIds.Hosting + 1, LogLevel.Information, "Switchboard stopping: closing {Connections} stream connections with 1001", EventName = "Hosting.Stopping")]
    public static partial void Stopping(ILogger logger, int connections);

    [LoggerMessage(LogEventIds.Hosting + 2, LogLevel.Warning, "Lease of session {SessionId} expired; moved to error (terminated if it was terminating)", EventName = "Hosting.LeaseExpired")]
    public static partial void LeaseExpired(ILogger logger, string sessionId);

    [LoggerMessage(LogEventIds.Hosting + 3, LogLevel.Warning, "Lease check failed", EventName = "Hosting.LeaseCheckFailed")]
    public static partial void LeaseCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogEventIds.Hosting + 4, LogLevel.Information, "Retention purged {Count} events", EventName = "Hosting.Purged")]
    public static partial void Purged(ILogger logger, long count);

    [LoggerMessage(LogEventIds.Hosting + 5, LogLevel.Warning, "Retention purge failed", EventName = "Hosting.PurgeFailed")]
    public static partial void PurgeFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogEventIds.Hosting + 6, LogLevel.Information, "Native heap: free pages go back to the system every {Seconds} s (malloc_trim); arenas: {Arenas}", EventName = "Hosting.NativeHeapTrimmed")]
    public static partial void NativeHeapTrimmed(ILogger logger, double seconds, string arenas);

    [LoggerMessage(LogEventIds.Hosting + 7, LogLevel.Information, "Native heap: not trimmed, the C library has no malloc_trim (not glibc)", EventName = "Hosting.NativeHeapNotTrimmed")]
    public static partial void NativeHeapNotTrimmed(ILogger logger);

    [LoggerMessage(LogEventIds.Hosting + 9, LogLevel.Information, "Managed heap: checked every {Seconds} s, gen0 collected when the runtime has not collected since and at least {ThresholdMb} MB was allocated", EventName = "Hosting.QuietCollections")]
    public static partial void QuietCollections(ILogger logger, double seconds, double thresholdMb);

    [LoggerMessage(LogEventIds.Hosting + 10, LogLevel.Debug, "Managed heap: gen0 collected while quiet, {AllocatedMb:F1} MB allocated since the last collection", EventName = "Hosting.QuietCollected")]
    public static partial void QuietCollected(ILogger logger, double allocatedMb);

    [LoggerMessage(LogEventIds.Hosting + 11, LogLevel.Information, "Start-up memory returned: RSS {StartMb:F1} MB, {PagedOutMb:F1} MB after paging out {Mappings} read-only program file mappings ({MappedMb:F1} MB mapped), {CollectedMb:F1} MB after a compacting collection, in {Ms:F0} ms", EventName = "Hosting.StartUpMemoryReturned")]
    public static partial void StartUpMemoryReturned(ILogger logger, double startMb, double pagedOutMb, int mappings, double mappedMb, double collectedMb, double ms);

    [LoggerMessage(LogEventIds.Hosting + 12, LogLevel.Information, "Program pages: some stay resident after start-up, {Reason}", EventName = "Hosting.ProgramPagesKept")]
    public static partial void ProgramPagesKept(ILogger logger, string reason);

    /// <summary>A supervised loop's failure, for a loop whose owner has no log message of its own for it (<see cref="BackgroundLoops"/>).</summary>
    public static void LoopFailed(ILogger logger, LoopFailure failure)
    {
        if (failure.RestartIn is { } delay)
        {
            LoopRestarting(logger, failure.Loop, failure.Failures, (long)delay.TotalMilliseconds, failure.Error);
        }
        else
        {
            LoopGaveUp(logger, failure.Loop, failure.Failures, failure.Error);
        }
    }

    [LoggerMessage(LogEventIds.Hosting + 80, LogLevel.Error, "Background loop {Loop} failed ({Failures} in a row); it starts again in {DelayMs} ms", EventName = "Hosting.LoopRestarting")]
    private static partial void LoopRestarting(ILogger logger, string loop, int failures, long delayMs, Exception exception);

    [LoggerMessage(LogEventIds.Hosting + 81, LogLevel.Critical, "Background loop {Loop} failed {Failures} times in a row and gave up", EventName = "Hosting.LoopGaveUp")]
    private static partial void LoopGaveUp(ILogger logger, string loop, int failures, Exception exception);

    [LoggerMessage(LogEventIds.Hosting + 8, LogLevel.Warning, "Setting {Old} is deprecated and still read; rename it {New}", EventName = "Hosting.DeprecatedSetting")]
    public static partial void DeprecatedSetting(ILogger logger, string old, string @new);
}

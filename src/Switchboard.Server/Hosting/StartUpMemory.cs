using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Gives back, once the host listens, the memory that start-up used and a running server does not: the managed heap's
/// start-up garbage and the pages of the program's files that only start-up read (<see cref="ProgramPages"/>). On the
/// native executable the RSS goes from about 64 to 46 MB (docs/benchmarks.md, Idle footprint). Process-wide, so the
/// executable calls it once; it logs what it did.
/// </summary>
internal static class StartUpMemory
{
    /// <summary>
    /// Pages out the program's read-only file pages, then collects and compacts the whole managed heap. The collection
    /// pauses the server once, for about 13 ms on the benchmark machine: start-up allocates about 15 MB, most of it garbage
    /// once the host listens, and a compacting collection gives that memory back to the system, while
    /// <see cref="HeapTrim"/>'s quiet collections later are gen0 only and keep what they free committed.
    /// </summary>
    public static void Return(ILogger logger, TimeProvider time)
    {
        var started = time.GetTimestamp();
        var atStart = ResidentBytes();
        var pages = ProgramPages.PageOut();
        var pagedOut = ResidentBytes();
        // Last, so that it also takes the page-out's own garbage: allocating after it would commit a fresh gen0 region.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (pages.KeptBecause is { } because)
        {
            SwitchboardLog.ProgramPagesKept(logger, because);
        }

        SwitchboardLog.StartUpMemoryReturned(
            logger, atStart / Megabyte, pagedOut / Megabyte, pages.Mappings, pages.Bytes / Megabyte, ResidentBytes() / Megabyte,
            time.GetElapsedTime(started).TotalMilliseconds);
    }

    private const double Megabyte = 1 << 20;

    /// <summary>The process's resident set, from <c>/proc/self/statm</c> (its second field, in pages); 0 where it cannot be read.</summary>
    private static long ResidentBytes()
    {
        try
        {
            return OperatingSystem.IsLinux() && File.ReadAllText("/proc/self/statm").Split(' ') is [_, var resident, ..]
                && long.TryParse(resident, CultureInfo.InvariantCulture, out var pages)
                ? pages * Environment.SystemPageSize
                : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}

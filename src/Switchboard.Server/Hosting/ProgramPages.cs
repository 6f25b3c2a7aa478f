using System.Globalization;
using System.Runtime.InteropServices;

namespace Switchboard.Server.Hosting;

/// <summary>
/// The pages of the program's own files mapped into the process: the executable, and the runtime's and the framework's
/// libraries. Start-up reads far more of them than a running server touches again (configuration binding, the service
/// container, the route table, the schema, the unwind tables of start-up's exceptions), and the kernel maps each page
/// it reads, with its neighbours, into the process for good: about 40 of the native executable's 64 MB right after
/// start-up are such pages (docs/benchmarks.md, Idle footprint).
/// <para>
/// <see cref="PageOut"/> asks the kernel to reclaim them (<c>madvise(MADV_PAGEOUT)</c>, Linux 5.4 and later). It changes
/// no contents: the kernel drops only clean pages that no other process maps, and reads a page back from its file on its
/// next touch, so what a running server uses comes back and what only start-up used stays out. Reading ahead is turned
/// off for those mappings first (<c>MADV_RANDOM</c>): a page read back would otherwise bring its neighbours, start-up's
/// pages, back with it. The cost is one read from the file the first time a running server touches a page again, a
/// millisecond or two on a first request of each kind.
/// </para>
/// <para>
/// Only private, read-only mappings of files whose pages are all the file's: a page the process changed (a relocated
/// pointer table, say) is the process's own data and is left alone.
/// </para>
/// </summary>
internal static class ProgramPages
{
    private const int RandomAccess = 1; // MADV_RANDOM
    private const int PageOutAdvice = 21; // MADV_PAGEOUT

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MAdvise(nint address, nuint length, int advice);

    private static readonly MAdvise? Madvise = Glibc.Export<MAdvise>("madvise");

    /// <summary>
    /// Asks the kernel to reclaim the process's read-only file pages. Returns how many mappings and bytes it asked for,
    /// and why any stayed.
    /// </summary>
    public static PageOutResult PageOut()
    {
        if (Madvise is not { } madvise)
        {
            return new PageOutResult(0, 0, "not Linux with glibc");
        }

        List<Mapping> candidates;
        try
        {
            // Read to the end before advising: advice changes the mappings' flags, which smaps lists.
            candidates = ReadOnlyFileMappings(File.ReadLines("/proc/self/smaps")).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new PageOutResult(0, 0, $"/proc/self/smaps could not be read ({ex.Message})");
        }

        var mappings = 0;
        var bytes = 0L;
        foreach (var mapping in candidates)
        {
            var length = (nuint)(mapping.End - mapping.Start);
            madvise((nint)mapping.Start, length, RandomAccess);
            if (madvise((nint)mapping.Start, length, PageOutAdvice) == 0)
            {
                mappings++;
                bytes += mapping.End - mapping.Start;
            }
        }

        var refused = candidates.Count - mappings;
        return new PageOutResult(mappings, bytes,
            refused == 0 ? null : $"the kernel refused MADV_PAGEOUT for {refused} of {candidates.Count} mappings (Linux 5.4 and later have it)");
    }

    /// <summary>
    /// The private, read-only file mappings that hold no page of the process's own, from <c>/proc/self/smaps</c>: a
    /// header line per mapping (<c>start-end perms offset dev inode path</c>), then its fields, one of them
    /// <c>Anonymous: N kB</c>.
    /// </summary>
    internal static IEnumerable<Mapping> ReadOnlyFileMappings(IEnumerable<string> smaps)
    {
        Mapping? candidate = null;
        foreach (var line in smaps)
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            if (!fields[0].EndsWith(':'))
            {
                candidate = ReadOnlyFileMapping(fields); // a header: a mapping's fields follow
            }
            else if (candidate is { } mapping && fields[0] == "Anonymous:")
            {
                if (fields is [_, "0", "kB"])
                {
                    yield return mapping;
                }

                candidate = null;
            }
        }
    }

    /// <summary>The mapping a header line describes, if it maps a file privately and read-only; otherwise null.</summary>
    private static Mapping? ReadOnlyFileMapping(string[] header)
    {
        if (header is not [var range, [ 'r', '-', _, 'p' ], _, _, _, ['/', ..]] || range.IndexOf('-') is var dash && dash < 1)
        {
            return null;
        }

        return long.TryParse(range.AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var start)
            && long.TryParse(range.AsSpan(dash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var end)
            ? new Mapping(start, end)
            : null;
    }

    /// <summary>A mapping's address range.</summary>
    internal readonly record struct Mapping(long Start, long End);
}

/// <summary>What <see cref="ProgramPages.PageOut"/> asked the kernel to reclaim, and why any mapping stayed (null if none did).</summary>
internal sealed record PageOutResult(int Mappings, long Bytes, string? KeptBecause);

using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Switchboard.Hosting;

/// <summary>
/// Gives the native heap's free pages back to the system every <see cref="Interval"/>, with glibc's <c>malloc_trim</c>.
/// <para>
/// glibc keeps what native code frees inside its arenas (one per thread that allocated, up to eight per core) and
/// returns memory to the system only from the top of an arena. SQLite drops and rebuilds a reader's page cache at every
/// read that follows a commit, on whichever pool thread runs the read, so under steady load each arena's high-water
/// mark creeps up as bursts land on different threads, and the RSS with it, though none of that memory is live. In the
/// soak, one trim after 20 minutes gave back 18 MB of the process's 99 MB of anonymous memory (docs/benchmarks.md, "Soak").
/// A trim walks the arenas' free lists and tells the kernel their whole free pages may go: well under a millisecond here.
/// </para>
/// <para>
/// Process-wide, so the executable registers it once (a test process that hosts many nodes does not); an embedder
/// decides for its own process. Where the C library is not glibc (musl, macOS, Windows) there is nothing to call, and
/// it says so once at start.
/// </para>
/// </summary>
internal sealed class NativeHeapTrim(ILogger<NativeHeapTrim> logger) : BackgroundService
{
    /// <summary>How often the free pages go back.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private static readonly MallocTrim? Trim = Resolve();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MallocTrim(nuint pad);

    /// <summary>Whether this process's C library can trim (glibc).</summary>
    public static bool Available => Trim is not null;

    /// <summary>Trims now. Returns whether any memory went back; false also where <see cref="Available"/> is false.</summary>
    public static bool TrimNow() => Trim is not null && Trim(0) != 0;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Trim is null)
        {
            SwitchboardLog.NativeHeapNotTrimmed(logger);
            return;
        }

        SwitchboardLog.NativeHeapTrimmed(logger, Interval.TotalSeconds);
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Trim(0);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static MallocTrim? Resolve() =>
        OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, "malloc_trim", out var export)
            ? Marshal.GetDelegateForFunctionPointer<MallocTrim>(export)
            : null;
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Gives the native heap's free pages back to the system every <see cref="Interval"/> (<see cref="NativeHeap.Trim"/>).
/// A trim walks the arenas' free lists and tells the kernel that their whole free pages may go: well under a
/// millisecond here. Process-wide, so the executable registers it once (a test process that hosts many nodes does
/// not); an embedder decides for its own process. It says once at start whether it runs.
/// </summary>
internal sealed class NativeHeapTrim(ILogger<NativeHeapTrim> logger) : BackgroundService
{
    /// <summary>How often the free pages go back.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!NativeHeap.IsGlibc)
        {
            SwitchboardLog.NativeHeapNotTrimmed(logger);
            return;
        }

        SwitchboardLog.NativeHeapTrimmed(logger, Interval.TotalSeconds, NativeHeap.ArenasLimited ? $"at most {NativeHeap.MaxArenas}" : "glibc's default");
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                NativeHeap.Trim();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}

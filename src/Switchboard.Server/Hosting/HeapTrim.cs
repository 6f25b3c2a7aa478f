using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Gives the process's free memory back every <see cref="Interval"/>: the managed heap's garbage when the process is
/// quiet (<see cref="QuietCollection"/>), then the native heap's free pages (<see cref="NativeHeap.Trim"/>, which walks
/// the arenas' free lists and tells the kernel that their whole free pages may go: well under a millisecond here).
/// Process-wide, so the executable registers it once (a test process that hosts many nodes does not); an embedder
/// decides for its own process. It says once at start what it does.
/// </summary>
internal sealed class HeapTrim(ILogger<HeapTrim> logger) : BackgroundService
{
    /// <summary>How often memory goes back.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var quiet = QuietCollection.ForThisProcess();
        SwitchboardLog.QuietCollections(logger, Interval.TotalSeconds, quiet.Threshold / 1048576.0);
        if (NativeHeap.IsGlibc)
        {
            SwitchboardLog.NativeHeapTrimmed(logger, Interval.TotalSeconds, NativeHeap.ArenasLimited ? $"at most {NativeHeap.MaxArenas}" : "glibc's default");
        }
        else
        {
            SwitchboardLog.NativeHeapNotTrimmed(logger);
        }

        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (quiet.Check() is { } allocated)
                {
                    SwitchboardLog.QuietCollected(logger, allocated / 1048576.0);
                }

                NativeHeap.Trim();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}

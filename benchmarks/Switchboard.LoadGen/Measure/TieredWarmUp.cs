using System.Diagnostics;

namespace Switchboard.LoadGen.Measure;

/// <summary>
/// Runs a workload against a server in steps until its tiered compilation has settled: the runtime's tiering thread
/// used under 20 ms of CPU in the last step. A fixed warm-up measured servers still compiling (after 1 s, most of a
/// profile's samples were in unoptimized or instrumented code), and the build with more code looked worse for it.
/// </summary>
internal static class TieredWarmUp
{
    /// <summary>How long one step of the workload runs.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs <paramref name="step"/> (given <see cref="Step"/>) until settled, and for at least <paramref name="minimum"/>
    /// (two steps when not given), or until <paramref name="limit"/>; returns how long it took and the tiering CPU seconds.
    /// </summary>
    public static async Task<(TimeSpan Elapsed, double TieringSeconds)> RunAsync(int pid, TimeSpan limit, Func<TimeSpan, Task> step, TimeSpan? minimum = null)
    {
        var clock = Stopwatch.StartNew();
        var tiering = ProcStats.TieringCpuSeconds(pid);
        while (clock.Elapsed < limit)
        {
            await step(Step);
            var now = ProcStats.TieringCpuSeconds(pid);
            var settled = now - tiering < 0.02;
            tiering = now;
            if (settled && clock.Elapsed >= (minimum ?? 2 * Step))
            {
                break;
            }
        }

        return (clock.Elapsed, tiering);
    }
}

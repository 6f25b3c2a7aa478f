using System.Globalization;
using System.Runtime.InteropServices;

namespace Switchboard.LoadGen.Measure;

/// <summary>A process's CPU time and memory from /proc (Linux).</summary>
internal static partial class ProcStats
{
    private static readonly double TicksPerSecond = SysConf(2 /* _SC_CLK_TCK */) is > 0 and var t ? t : 100;

    /// <summary>User + system CPU seconds (utime + stime from /proc/pid/stat).</summary>
    public static double CpuSeconds(int pid) => CpuSecondsOf(File.ReadAllText($"/proc/{pid}/stat"));

    private static double CpuSecondsOf(string stat)
    {
        // Fields after the command name (which may contain spaces) start after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (utime + stime) / TicksPerSecond;
    }

    /// <summary>
    /// CPU seconds of the runtime's background tiered-compilation thread (".NET Tiered Com…"): while it grows, the
    /// process is still recompiling hot methods and is not yet in its steady state.
    /// </summary>
    public static double TieringCpuSeconds(int pid)
    {
        var total = 0.0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered Com", StringComparison.Ordinal))
                {
                    total += CpuSecondsOf(File.ReadAllText(Path.Combine(task, "stat")));
                }
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return total;
    }

    /// <summary>Resident set size now (VmRSS), bytes.</summary>
    public static long Rss(int pid) => Status(pid, "VmRSS:");

    /// <summary>The anonymous part of the resident set (RssAnon: heaps, stacks; not mapped files nor shared memory), bytes.</summary>
    public static long RssAnon(int pid) => Status(pid, "RssAnon:");

    /// <summary>Peak resident set size (VmHWM), bytes, since start or the last <see cref="ResetPeak"/>.</summary>
    public static long PeakRss(int pid) => Status(pid, "VmHWM:");

    /// <summary>Resets VmHWM to the current RSS (writes 5 to /proc/pid/clear_refs); false where the kernel refuses.</summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long Status(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var kb = line[field.Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"{field} not found for process {pid}");
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}

using System.Globalization;

namespace Switchboard.Testing;

/// <summary>Reads a process's memory from /proc (Linux).</summary>
public static class ProcessMemory
{
    /// <summary>Current resident set size, in bytes.</summary>
    public static long Rss(int pid) => Read(pid, "VmRSS:");

    /// <summary>
    /// Private data the process has mapped writable (its heaps, pools and arrays), in bytes: memory reserved whether or
    /// not it was touched yet, which RSS misses until it is.
    /// </summary>
    public static long Data(int pid) => Read(pid, "VmData:");

    /// <summary>Peak resident set size since start, in bytes.</summary>
    public static long PeakRss(int pid) => Read(pid, "VmHWM:");

    private static long Read(int pid, string field)
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
}

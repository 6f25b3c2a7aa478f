using System.Globalization;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Report;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Soak;

/// <summary>One sample of the server under soak, taken right after a full blocking GC it was made to run.</summary>
internal sealed record SoakSample(
    double Minutes,
    long RssAfterGc,
    long RssAnonAfterGc,
    long HeapAfterGc,
    int OpenFiles,
    int Threads,
    int PoolWorkers,
    long SendQueueBytes,
    long LiveInbox,
    long AlertsInbox,
    long Connections,
    long EventsAppended,
    long SlowConsumerDisconnects,
    double CpuSeconds,
    string Load);

/// <summary>
/// Samples the server process: induces a full, blocking GC through its diagnostics port (as dotnet-gcdump does), then
/// reads its RSS, open files and threads from /proc and its managed heap, send-queue bytes and inbox depths from
/// <c>/metrics</c>.
/// </summary>
internal static class SoakSampler
{
    public static async Task<SoakSample> TakeAsync(Target target, double minutes)
    {
        var pid = target.Server.Pid;
        await GcTrigger.CollectAsync(pid);
        var rss = ProcStats.Rss(pid);
        var anonymous = ProcStats.RssAnon(pid);
        var metrics = Parse(await target.Http.GetStringAsync("/metrics"));
        return new SoakSample(
            minutes,
            rss,
            anonymous,
            (long)Sum(metrics, "dotnet_gc_last_collection_heap_size_bytes"),
            Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length,
            Directory.GetDirectories($"/proc/{pid}/task").Length,
            PoolWorkers(pid),
            (long)Sum(metrics, "switchboard_send_queue_bytes"),
            (long)Sum(metrics, "switchboard_live_inbox"),
            (long)Sum(metrics, "switchboard_alerts_inbox"),
            (long)Sum(metrics, "switchboard_connections"),
            (long)Sum(metrics, "switchboard_events_appended_total"),
            (long)Sum(metrics, "switchboard_slow_consumer_disconnects_total"),
            ProcStats.CpuSeconds(pid),
            MachineInfo.LoadAverage());
    }

    /// <summary>
    /// The runtime thread pool's workers (named ".NET TP Worker"), which it adds when work waits and retires after 20 s
    /// idle: the part of the thread count that moves by design, told apart from threads that would leak.
    /// </summary>
    private static int PoolWorkers(int pid)
    {
        var workers = 0;
        foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == ".NET TP Worker")
                {
                    workers++;
                }
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read.
            }
        }

        return workers;
    }

    /// <summary>Prometheus text as (series, value) pairs; a series is the name with its labels.</summary>
    private static List<(string Series, double Value)> Parse(string text)
    {
        var series = new List<(string, double)>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            if (space > 0 && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                series.Add((line[..space], value));
            }
        }

        return series;
    }

    /// <summary>The sum over every series of metric <paramref name="name"/> (all its label sets).</summary>
    private static double Sum(List<(string Series, double Value)> metrics, string name) =>
        metrics.Where(m => m.Series == name || m.Series.StartsWith(name + "{", StringComparison.Ordinal)).Sum(m => m.Value);
}

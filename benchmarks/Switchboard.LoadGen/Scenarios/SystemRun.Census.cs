using Switchboard.LoadGen.Clients;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

internal sealed partial class SystemRun
{
    /// <summary>
    /// <c>--census</c>: which live objects N idle subscribers add to the server's heap, per connection, by type.
    /// Prints the table; writes nothing.
    /// </summary>
    public async Task CensusAsync(BenchPaths paths, int n)
    {
        var data = Directory.CreateTempSubdirectory("switchboard-census-");
        try
        {
            await target.StartAsync(paths, data.FullName);
            await target.PrepareSessionsAsync([.. Bench, .. Mix]);
            _protocol = target.CreateProtocol();
            await using (_pool = new SubscriberPool(target.Server.EndPoint, _protocol))
            {
                await WarmUpAsync();
                var before = await HeapCensus.TakeAsync(Pid);
                await Task.Delay(TimeSpan.FromSeconds(2));
                var rss0 = ProcStats.Rss(Pid);
                log.WriteLine($"{target.Name}: RSS(0) {rss0 / 1048576.0:F1} MiB; {await target.DescribeMemoryAsync()}");
                await _pool.GrowToAsync(n, _ => [target.GlobalTopic], CancellationToken.None);
                await Task.Delay(TimeSpan.FromSeconds(2));
                var after = await HeapCensus.TakeAsync(Pid);
                await Task.Delay(TimeSpan.FromSeconds(2));
                var rssN = ProcStats.Rss(Pid);
                // How RSS settles after an induced GC: the GC gives free regions back over time.
                await GcTrigger.CollectAsync(Pid);
                var settling = new List<string>();
                for (var i = 0; i < 20; i++)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1));
                    settling.Add($"{(ProcStats.Rss(Pid) - rss0) / (double)n:F0}");
                }

                log.WriteLine($"{target.Name}: B/connection over 20 s after another induced GC: {string.Join(' ', settling)}");
                log.WriteLine($"{target.Name}: RSS(N) {rssN / 1048576.0:F1} MiB, {(rssN - rss0) / (double)n:F0} B/connection; {await target.DescribeMemoryAsync()}");
                var baseline = before.ToDictionary(x => x.Type, x => (x.Count, x.Bytes));
                var delta = after
                    .Select(x => (x.Type, Count: x.Count - baseline.GetValueOrDefault(x.Type).Count, Bytes: x.Bytes - baseline.GetValueOrDefault(x.Type).Bytes))
                    .Where(x => x.Bytes > 0)
                    .OrderByDescending(x => x.Bytes)
                    .ToList();
                log.WriteLine($"{target.Name}: heap {before.Sum(x => x.Bytes) / 1048576.0:F1} MiB -> {after.Sum(x => x.Bytes) / 1048576.0:F1} MiB with {n} connections; " +
                    $"{delta.Sum(x => x.Bytes) / (double)n:F0} B/connection managed");
                log.WriteLine($"{"bytes/conn",10} {"objs/conn",9}  type");
                foreach (var (type, count, bytes) in delta.Take(60))
                {
                    log.WriteLine($"{bytes / (double)n,10:F1} {count / (double)n,9:F2}  {type}");
                }
            }
        }
        finally
        {
            await target.DisposeAsync();
            data.Delete(recursive: true);
        }
    }
}

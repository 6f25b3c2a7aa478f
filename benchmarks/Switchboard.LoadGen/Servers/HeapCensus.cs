using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Switchboard.LoadGen.Servers;

/// <summary>
/// Live objects by type in another .NET process, from the runtime's heap-dump events (what dotnet-gcdump reads):
/// a full GC walks the heap and reports every object's type and size. Used to explain idle memory per connection.
/// </summary>
internal static class HeapCensus
{
    private const long Gc = 0x1;
    private const long Type = 0x80000;
    private const long GcHeapDump = 0x100000;
    private const long GcHeapCollect = 0x800000;
    private const long GcHeapAndTypeNames = 0x1000000;

    public static async Task<IReadOnlyList<(string Type, long Count, long Bytes)>> TakeAsync(int pid)
    {
        var client = new DiagnosticsClient(pid);
        var providers = new[]
        {
            new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, Gc | Type | GcHeapDump | GcHeapCollect | GcHeapAndTypeNames),
        };
        using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: 1024, CancellationToken.None);
        var names = new Dictionary<ulong, string>();
        var counts = new Dictionary<ulong, (long Count, long Bytes)>();
        var gcDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(() =>
        {
            using var source = new EventPipeEventSource(session.EventStream);
            var clr = new ClrTraceEventParser(source);
            clr.TypeBulkType += data =>
            {
                for (var i = 0; i < data.Count; i++)
                {
                    var v = data.Values(i);
                    names[v.TypeID] = v.TypeName;
                }
            };
            clr.GCBulkNode += data =>
            {
                for (var i = 0; i < data.Count; i++)
                {
                    var v = data.Values(i);
                    counts.TryGetValue(v.TypeID, out var c);
                    counts[v.TypeID] = (c.Count + 1, c.Bytes + (long)v.Size);
                }
            };
            clr.GCStop += _ => gcDone.TrySetResult();
            source.Process();
        });
        await gcDone.Task.WaitAsync(TimeSpan.FromSeconds(120));
        await Task.Delay(TimeSpan.FromSeconds(2));
        await session.StopAsync(CancellationToken.None);
        await reading.WaitAsync(TimeSpan.FromSeconds(60));
        // Type names are not unique (e.g. instantiations over different types print alike), so sum by name.
        return [.. counts
            .GroupBy(kv => names.GetValueOrDefault(kv.Key, $"type {kv.Key:x}"))
            .Select(g => (g.Key, g.Sum(kv => kv.Value.Count), g.Sum(kv => kv.Value.Bytes)))
            .OrderByDescending(x => x.Item3)];
    }
}

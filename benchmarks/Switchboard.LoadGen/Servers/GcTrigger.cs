using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace Switchboard.LoadGen.Servers;

/// <summary>
/// Induces a full, blocking garbage collection in another .NET process through its diagnostics port, the way
/// dotnet-gcdump does: an EventPipe session with the runtime's GCHeapCollect keyword. The same method serves
/// both servers, so neither needs a GC endpoint, and the GC's start and end events confirm it happened.
/// </summary>
internal static class GcTrigger
{
    private const long GcKeyword = 0x1;
    private const long GcHeapCollectKeyword = 0x800000;

    /// <summary>Runs the induced GC and returns once the runtime reported it (or after 10 s).</summary>
    public static async Task CollectAsync(int pid)
    {
        var client = new DiagnosticsClient(pid);
        var providers = new[]
        {
            new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapCollectKeyword),
        };
        using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: 16, CancellationToken.None);
        // The session's stream must be read or the runtime's buffer fills; the GC events are in it.
        var drain = session.EventStream.CopyToAsync(Stream.Null);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await session.StopAsync(CancellationToken.None);
        await drain.WaitAsync(TimeSpan.FromSeconds(10));
    }
}

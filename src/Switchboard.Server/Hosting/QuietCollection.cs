namespace Switchboard.Server.Hosting;

/// <summary>
/// Collects the managed heap's youngest generation when the process is quiet, so that a lightly loaded server does not
/// keep a whole gen0 budget of garbage resident.
/// <para>
/// The runtime collects gen0 once a budget's worth has been allocated, and sizes that budget by the processor's cache:
/// on a machine with a large last-level cache it is over a hundred megabytes. A server at light use (a few hooks a
/// second) takes minutes to allocate that much, and every page it allocates into stays resident until then, so its
/// footprint grows by the whole budget before the first collection (docs/benchmarks.md, Idle footprint). After a
/// collection the allocator reuses the memory it freed: collecting whenever a little has been allocated and the runtime
/// has not collected by itself keeps the resident heap near what is live.
/// </para>
/// <para>
/// Under load the runtime collects between two checks, and <see cref="Check"/> does nothing: the rule costs a busy
/// process nothing and a quiet one at most one gen0 collection per check, about 2 ms of pause on the benchmark machine
/// (docs/benchmarks.md, Idle footprint).
/// </para>
/// </summary>
/// <param name="read">Reads the process's collections and allocated bytes.</param>
/// <param name="collect">Collects gen0.</param>
/// <param name="threshold">What a quiet process may allocate after a collection before the next check collects.</param>
internal sealed class QuietCollection(Func<HeapReading> read, Action collect, long threshold)
{
    /// <summary>A megabyte: a few seconds of light use.</summary>
    public const long DefaultThreshold = 1 << 20;

    private HeapReading _since = read();

    /// <summary>What a quiet process may allocate after a collection before the next check collects.</summary>
    public long Threshold => threshold;

    /// <summary>This process's heap, collected with a blocking gen0 collection.</summary>
    public static QuietCollection ForThisProcess() =>
        new(HeapReading.Now, static () => GC.Collect(0, GCCollectionMode.Forced, blocking: true), DefaultThreshold);

    /// <summary>
    /// Collects if nothing was collected since the last check and at least <see cref="Threshold"/> bytes were allocated
    /// since the last collection it knows of. Returns the bytes allocated since then if it collected, else null.
    /// </summary>
    public long? Check()
    {
        var now = read();
        if (now.Collections != _since.Collections)
        {
            _since = now; // the runtime collected by itself: count from here
            return null;
        }

        var allocated = now.Allocated - _since.Allocated;
        if (allocated < threshold)
        {
            return null;
        }

        collect();
        _since = read();
        return allocated;
    }
}

/// <summary>How many collections the process has had so far, and how many bytes it has allocated so far.</summary>
internal readonly record struct HeapReading(int Collections, long Allocated)
{
    /// <summary>This process's, now (every generation's collection counts as one of gen0).</summary>
    public static HeapReading Now() => new(GC.CollectionCount(0), GC.GetTotalAllocatedBytes(precise: false));
}

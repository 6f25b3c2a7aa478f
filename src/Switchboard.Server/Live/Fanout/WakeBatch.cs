using System.Buffers;
using Switchboard.Outbound;

namespace Switchboard.Live.Fanout;

/// <summary>
/// One share of a fan-out pass's wake-ups, run as one thread-pool item: it starts each connection's drain on its own
/// thread (<see cref="SendQueue.DrainHere"/>), one after the other. A drain writes what it can at once and goes
/// asynchronous only when its socket pushes back, so a slow connection costs this share nothing but its first write.
/// Owns its copy of the queues; the live loop's wake list is reused the moment <see cref="Schedule"/> returns.
/// </summary>
internal sealed class WakeBatch : IThreadPoolWorkItem
{
    /// <summary>Up to this many queues are woken one thread-pool item each, as parallel as the pool allows.</summary>
    public const int Threshold = 64;

    /// <summary>
    /// <c>SWITCHBOARD_WAKE_PER_CONNECTION=1</c> turns the shares off (one thread-pool item per connection, as before), so
    /// the benchmark can compare both in one run (<c>--switchboard-env</c>). Not a setting: an experiment switch.
    /// </summary>
    public static readonly bool PerConnection = Environment.GetEnvironmentVariable("SWITCHBOARD_WAKE_PER_CONNECTION") == "1";

    private readonly SendQueue[] _queues;
    private readonly int _count;

    private WakeBatch(SendQueue[] queues, int count)
    {
        _queues = queues;
        _count = count;
    }

    /// <summary>Splits <paramref name="queues"/> into one share per core and queues each share to the thread pool.</summary>
    public static void Schedule(List<SendQueue> queues)
    {
        var shares = Math.Min(Environment.ProcessorCount, queues.Count);
        var size = (queues.Count + shares - 1) / shares;
        for (var start = 0; start < queues.Count; start += size)
        {
            var count = Math.Min(size, queues.Count - start);
            var copy = ArrayPool<SendQueue>.Shared.Rent(count);
            queues.CopyTo(start, copy, 0, count);
            ThreadPool.UnsafeQueueUserWorkItem(new WakeBatch(copy, count), preferLocal: false);
        }
    }

    public void Execute()
    {
        for (var i = 0; i < _count; i++)
        {
            _queues[i].DrainHere();
        }

        ArrayPool<SendQueue>.Shared.Return(_queues, clearArray: true);
    }
}

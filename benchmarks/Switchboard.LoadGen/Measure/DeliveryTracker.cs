using System.Buffers.Text;
using System.Diagnostics;
using Switchboard.LoadGen.Clients;

namespace Switchboard.LoadGen.Measure;

/// <summary>
/// Matches what subscribers receive against what was published. Every published event carries a marker
/// <c>"bx":n</c>; the publisher stamps n's send time on the shared monotonic clock just before the POST, and each
/// receipt records its latency, counts toward n's expected deliveries and moves n's last-receipt time. So the run
/// knows completeness (delivered / expected, duplicates, strays), the latency of every delivery and, per event,
/// the latency to the last subscriber.
/// </summary>
internal sealed class DeliveryTracker : IRecordSink
{
    private static readonly double MicrosPerTick = 1_000_000.0 / Stopwatch.Frequency;

    private readonly long _first;
    private readonly long[] _sentAt;
    private readonly long[] _lastAt;
    private readonly int[] _counts;
    private readonly int[] _expected;
    private readonly ThreadLocal<LatencyHistogram>[] _latency =
        [new(() => new LatencyHistogram(), true), new(() => new LatencyHistogram(), true)];
    private readonly long[] _delivered = new long[3];
    private long _published;
    private long _completed;
    private long _strays;
    private long _duplicates;

    public DeliveryTracker(long firstMarker, int capacity)
    {
        _first = firstMarker;
        _sentAt = new long[capacity];
        _lastAt = new long[capacity];
        _counts = new int[capacity];
        _expected = new int[capacity];
    }

    /// <summary>Raised on a receiving thread when an event reached all its subscribers.</summary>
    public Action? EventCompleted { get; set; }

    public long Published => Volatile.Read(ref _published);

    public long Completed => Volatile.Read(ref _completed);

    /// <summary>Deliveries of marked events (global and per-session topics).</summary>
    public long Delivered => Volatile.Read(ref _delivered[0]) + Volatile.Read(ref _delivered[1]);

    public long DeliveredOf(RecordKind kind) => Volatile.Read(ref _delivered[(int)kind]);

    public long Expected { get; private set; }

    public long Strays => Volatile.Read(ref _strays);

    public long Duplicates => Volatile.Read(ref _duplicates);

    public long NextMarker => _first + Published;

    /// <summary>Reserves the next marker, expecting <paramref name="deliveries"/> receipts; null when the tracker is full.</summary>
    public long? Reserve(int deliveries)
    {
        var n = Interlocked.Increment(ref _published) - 1;
        if (n >= _sentAt.Length)
        {
            Interlocked.Decrement(ref _published);
            return null;
        }

        _expected[n] = deliveries;
        lock (_expected)
        {
            Expected += deliveries;
        }

        return _first + n;
    }

    /// <summary>
    /// The publish of <paramref name="marker"/> was refused (503): it expects no delivery any more. A delivery that still
    /// arrives for it counts as a duplicate, so a refused write that was applied after all shows up.
    /// </summary>
    public void Withdraw(long marker)
    {
        var i = marker - _first;
        var expected = Interlocked.Exchange(ref _expected[i], 0);
        lock (_expected)
        {
            Expected -= expected;
        }

        Interlocked.Increment(ref _completed);
        EventCompleted?.Invoke();
    }

    /// <summary>Stamps the send time; call right before the request goes out.</summary>
    public void MarkSent(long marker) => Volatile.Write(ref _sentAt[marker - _first], Stopwatch.GetTimestamp());

    public void OnRecord(ReadOnlySpan<byte> record, RecordKind kind, long timestamp, int client)
    {
        if (kind == RecordKind.Summary)
        {
            Interlocked.Increment(ref _delivered[2]);
            return;
        }

        var at = record.IndexOf("\"bx\":"u8);
        if (at < 0 || !Utf8Parser.TryParse(record[(at + 5)..], out long marker, out _))
        {
            return; // not one of ours (e.g. a fleet event)
        }

        var i = marker - _first;
        if (i < 0 || i >= Published)
        {
            Interlocked.Increment(ref _strays);
            return;
        }

        var sent = Volatile.Read(ref _sentAt[i]);
        _latency[(int)kind].Value!.Record((long)((timestamp - sent) * MicrosPerTick));
        Interlocked.Increment(ref _delivered[(int)kind]);
        var last = Volatile.Read(ref _lastAt[i]);
        while (timestamp > last)
        {
            var seen = Interlocked.CompareExchange(ref _lastAt[i], timestamp, last);
            if (seen == last)
            {
                break;
            }

            last = seen;
        }

        var count = Interlocked.Increment(ref _counts[i]);
        if (count == _expected[i])
        {
            Interlocked.Increment(ref _completed);
            EventCompleted?.Invoke();
        }
        else if (count > _expected[i])
        {
            Interlocked.Increment(ref _duplicates);
        }
    }

    /// <summary>Waits until every published event reached all its subscribers, or the timeout passes.</summary>
    public async Task<bool> WaitForAllAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Completed < Published)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    /// <summary>Latency of every delivery of one topic kind, merged over receiving threads.</summary>
    public LatencyHistogram DeliveryLatency(RecordKind kind)
    {
        var merged = new LatencyHistogram();
        foreach (var h in _latency[(int)kind].Values)
        {
            merged.Add(h);
        }

        return merged;
    }

    /// <summary>Per event: from the POST to its last receipt. Only events that reached every subscriber.</summary>
    public LatencyHistogram LastSubscriberLatency()
    {
        var h = new LatencyHistogram();
        var n = Published;
        for (var i = 0; i < n; i++)
        {
            if (Volatile.Read(ref _counts[i]) >= _expected[i] && _expected[i] > 0)
            {
                h.Record((long)((_lastAt[i] - _sentAt[i]) * MicrosPerTick));
            }
        }

        return h;
    }
}

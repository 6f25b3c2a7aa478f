using System.Numerics;

namespace Switchboard.LoadGen.Measure;

/// <summary>
/// Latencies in microseconds, log-linear buckets (32 per power of two, so within ~3%), from 0 to about 12 days.
/// Not thread-safe: each receiving thread records into its own and they are merged at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBits = 5;
    private const int Linear = 2 << SubBits; // values below this have a bucket each
    private const int BucketCount = Linear + (40 - SubBits - 1) * (1 << SubBits);

    private readonly long[] _counts = new long[BucketCount];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public void Record(long micros)
    {
        if (micros < 0)
        {
            micros = 0;
        }

        _counts[Index(micros)]++;
        Count++;
        if (micros > Max)
        {
            Max = micros;
        }
    }

    /// <summary>The bucket counts, to hand this histogram to another process (<see cref="FromBuckets"/>).</summary>
    public long[] Buckets() => (long[])_counts.Clone();

    public static LatencyHistogram FromBuckets(long[] counts, long max)
    {
        var h = new LatencyHistogram { Max = max };
        counts.AsSpan().CopyTo(h._counts);
        h.Count = counts.Sum();
        return h;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < BucketCount; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1), nearest rank; the bucket's upper bound.</summary>
    public long Percentile(double q)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(q * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperBound(i), Max);
            }
        }

        return Max;
    }

    private static int Index(long v)
    {
        if (v < Linear)
        {
            return (int)v;
        }

        var msb = 63 - BitOperations.LeadingZeroCount((ulong)v);
        var shift = msb - SubBits;
        var index = Linear + (msb - SubBits - 1) * (1 << SubBits) + (int)((v >> shift) - (1 << SubBits));
        return Math.Min(index, BucketCount - 1);
    }

    private static long UpperBound(int index)
    {
        if (index < Linear)
        {
            return index;
        }

        var group = (index - Linear) >> SubBits;
        var sub = (index - Linear) & ((1 << SubBits) - 1);
        var shift = group + 1;
        return (((long)(1 << SubBits) + sub + 1) << shift) - 1;
    }
}

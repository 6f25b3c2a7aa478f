namespace Switchboard.Core.Streams;

/// <summary>
/// A stream and the streams it was forked from, nearest first: what a read of a fork stitches together. A fork owns the
/// positions from its fork point to its tail; each source below it contributes only what lies before the fork point of
/// the stream above it, so appends a source took after a fork never show in the fork.
/// </summary>
internal sealed class StreamChain
{
    /// <summary>How many forks deep a chain may go: a read of the deepest fork reads at most this many streams' rows.</summary>
    public const int MaxDepth = 16;

    private readonly IReadOnlyList<StreamRow> _rows;

    /// <param name="rows">The stream first, then its source, its source's source, and so on.</param>
    public StreamChain(IReadOnlyList<StreamRow> rows)
    {
        ArgumentOutOfRangeException.ThrowIfZero(rows.Count);
        _rows = rows;
    }

    /// <summary>The stream itself.</summary>
    public StreamRow Stream => _rows[0];

    /// <summary>The stream and its sources, nearest first.</summary>
    public IReadOnlyList<StreamRow> Rows => _rows;

    /// <summary>Forks between the stream and its root source.</summary>
    public int Depth => _rows.Count - 1;

    /// <summary>
    /// Which streams' own chunks hold positions <c>[from, to)</c> of this stream, in position order: the ranges a read
    /// fetches. <paramref name="to"/> is normally the tail.
    /// </summary>
    public IReadOnlyList<ChunkRange> Ranges(long from, long to)
    {
        var ranges = new List<ChunkRange>(_rows.Count);
        var upper = to;
        foreach (var row in _rows)
        {
            var lower = row.ForkOf is null ? 0 : row.ForkAt;
            var start = Math.Max(lower, from);
            if (upper > start)
            {
                ranges.Add(new ChunkRange(row.Id, start, upper));
            }

            // Sources contribute only below this stream's fork point.
            upper = Math.Min(upper, lower);
            if (upper <= from)
            {
                break;
            }
        }

        ranges.Reverse();
        return ranges;
    }

    /// <summary>
    /// The chunks a store returned for <see cref="Ranges"/>, cut to the ranges (a source's chunk can straddle a fork
    /// point that fell inside it) and in position order.
    /// </summary>
    public static List<StreamChunk> Clip(IReadOnlyList<ChunkRange> ranges, IEnumerable<StreamChunk> chunks)
    {
        var clipped = new List<StreamChunk>();
        foreach (var chunk in chunks)
        {
            foreach (var range in ranges)
            {
                if (range.StreamId != chunk.StreamId || chunk.End <= range.From || chunk.Start >= range.To)
                {
                    continue;
                }

                var start = Math.Max(chunk.Start, range.From);
                var end = Math.Min(chunk.End, range.To);
                clipped.Add(start == chunk.Start && end == chunk.End
                    ? chunk
                    : chunk with { Start = start, End = end, Data = chunk.Data.Slice((int)(start - chunk.Start), (int)(end - start)) });
            }
        }

        clipped.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        return clipped;
    }
}

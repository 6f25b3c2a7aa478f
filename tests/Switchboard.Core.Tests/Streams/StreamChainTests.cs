using Switchboard.Core.Streams;

namespace Switchboard.Core.Tests.Streams;

/// <summary>A fork reads its sources below its fork point and its own chunks above it, down a chain of forks.</summary>
public sealed class StreamChainTests
{
    private static StreamRow Row(long id, long tail, long? forkOf = null, long forkAt = 0) => new()
    {
        Id = id, Path = $"s{id}", ContentType = "text/plain", Tail = tail, ForkOf = forkOf, ForkAt = forkAt,
        AccessedAt = DateTimeOffset.UnixEpoch, Owner = "o", CreatedAt = DateTimeOffset.UnixEpoch,
    };

    private static StreamChunk Chunk(long stream, long start, string text) =>
        new(stream, start, start + text.Length, System.Text.Encoding.ASCII.GetBytes(text));

    [Fact]
    public void AStreamThatIsNoForkReadsItsOwnChunks()
    {
        new StreamChain([Row(1, 10)]).Ranges(3, 10).ShouldBe([new ChunkRange(1, 3, 10)]);
        new StreamChain([Row(1, 10)]).Ranges(10, 10).ShouldBeEmpty();
    }

    [Fact]
    public void AForkReadsItsSourceBelowTheForkPointAndItselfAbove()
    {
        // s0 "abcdef" (6); s1 forks s0 at 4 and appends "XY"; s2 forks s1 at 2 (inside s0's part) and appends "Z".
        var s0 = Row(0, 6);
        var s1 = Row(1, 6, forkOf: 0, forkAt: 4);
        var s2 = Row(2, 3, forkOf: 1, forkAt: 2);
        new StreamChain([s1, s0]).Ranges(0, 6).ShouldBe([new ChunkRange(0, 0, 4), new ChunkRange(1, 4, 6)]);
        new StreamChain([s2, s1, s0]).Ranges(0, 3).ShouldBe([new ChunkRange(0, 0, 2), new ChunkRange(2, 2, 3)]);
        new StreamChain([s2, s1, s0]).Ranges(2, 3).ShouldBe([new ChunkRange(2, 2, 3)]);
    }

    [Fact]
    public void ChunksAreCutToTheRangesAndPutInOrder()
    {
        var ranges = new StreamChain([Row(2, 3, forkOf: 1, forkAt: 2), Row(1, 6, forkOf: 0, forkAt: 4), Row(0, 6)]).Ranges(0, 3);
        var clipped = StreamChain.Clip(ranges, [Chunk(2, 2, "Z"), Chunk(0, 0, "abcdef"), Chunk(1, 4, "XY")]);
        clipped.Select(c => (c.StreamId, c.Start, c.End, System.Text.Encoding.ASCII.GetString(c.Data.Span)))
            .ShouldBe([(0L, 0L, 2L, "ab"), (2L, 2L, 3L, "Z")]);
    }

    [Fact]
    public void ASliceStopsAtTheByteLimitAfterAtLeastOneChunk()
    {
        var chain = new StreamChain([Row(1, 9)]);
        var ranges = chain.Ranges(0, 9);
        var chunks = new[] { Chunk(1, 0, "abc"), Chunk(1, 3, "def"), Chunk(1, 6, "ghi") };
        var slice = StreamReads.Slice(chain, 0, ranges, chunks, maxBytes: 5);
        slice.Next.ShouldBe(3);
        slice.UpToDate.ShouldBeFalse();
        StreamReads.Slice(chain, 0, ranges, chunks, maxBytes: 1).Next.ShouldBe(3, "a chunk larger than the limit still goes");
        var all = StreamReads.Slice(chain, 0, ranges, chunks, maxBytes: 100);
        (all.Next, all.UpToDate, all.ClosedAtEnd).ShouldBe((9L, true, false));
    }
}

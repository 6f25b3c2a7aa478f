using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Server.Http;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Tests.Http;

/// <summary>
/// A request body's buffer grows with the bytes that arrive, never with what the request announced, up to its limit,
/// and every byte of it is reserved in the node's budget first: what the budget saw at each read is recorded by the source.
/// </summary>
public sealed class BodyBufferTests
{
    private const int MiB = 1024 * 1024;

    private static RequestBodyBudget Budget(long limit = 256L * MiB) =>
        new(new SwitchboardOptions { Http = { MaxInFlightBodyBytes = limit } }, TimeProvider.System, NullLogger<RequestBodyBudget>.Instance);

    [Fact]
    public async Task ABodyOfAFewBytesUnderAFourMebibyteLimitHoldsOnlyTheFirstSmallBuffer()
    {
        var budget = Budget();
        var source = new ChunkedSource(budget, [Bytes(10), Bytes(20)]);
        using (var body = new BodyBuffer(budget, 4 * MiB))
        {
            (await body.ReadToEndAsync(source)).ShouldBeTrue();
            body.Length.ShouldBe(30);
            body.Capacity.ShouldBe(BodyBuffer.InitialBytes);
            source.ReservedAtEachRead.ShouldAllBe(reserved => reserved == BodyBuffer.InitialBytes);
            source.RoomAtEachRead.Max().ShouldBeLessThanOrEqualTo(BodyBuffer.InitialBytes);
            budget.InFlight.ShouldBe(BodyBuffer.InitialBytes);
        }

        budget.InFlight.ShouldBe(0, "disposing returns the buffer and its reservation");
    }

    [Fact]
    public async Task TheBufferDoublesAsBytesArriveAndKeepsThemInOrder()
    {
        var budget = Budget();
        var chunks = Enumerable.Range(0, 100).Select(i => Bytes(1000, seed: i)).ToArray();
        var source = new ChunkedSource(budget, chunks);
        using var body = new BodyBuffer(budget, 4 * MiB);

        (await body.ReadToEndAsync(source)).ShouldBeTrue();

        body.Written.ToArray().ShouldBe(chunks.SelectMany(c => c).ToArray());
        body.Capacity.ShouldBe(128 * 1024, "100,000 bytes fit in the first power of two above them");
        source.ReservedAtEachRead.Distinct().ShouldBe([4096, 8192, 16384, 32768, 65536, 131072]);
        budget.InFlight.ShouldBe(128 * 1024, "the buffers it grew out of went back");
    }

    [Fact]
    public async Task AFourMebibyteLimitHoldsFourMebibytesAtMostForABodyAtItOrPastItNeverTheEightARentOfOneMoreByteTakes()
    {
        var budget = Budget();
        using (var exact = new BodyBuffer(budget, 4 * MiB))
        {
            var source = new ChunkedSource(budget, [.. Enumerable.Range(0, 64).Select(_ => Bytes(64 * 1024))]);
            (await exact.ReadToEndAsync(source)).ShouldBeTrue();
            exact.Length.ShouldBe(4 * MiB);
            exact.Capacity.ShouldBe(4 * MiB);
            source.ReservedAtEachRead.Max().ShouldBe(4 * MiB);
        }

        using (var over = new BodyBuffer(budget, 4 * MiB))
        {
            var source = new ChunkedSource(budget, [.. Enumerable.Range(0, 64).Select(_ => Bytes(64 * 1024)), Bytes(1)]);
            (await over.ReadToEndAsync(source)).ShouldBeFalse("one byte past the limit");
            over.Length.ShouldBe(4 * MiB, "the byte past the limit is read apart, to tell it is there, and not kept");
            over.Capacity.ShouldBe(4 * MiB);
        }

        BodyBuffer.PeakBytes(4 * MiB).ShouldBe(6 * MiB, "while growing into 4 MiB it also holds the 2 MiB before");
        BodyBuffer.PeakBytes(1000).ShouldBe(1024);
        BodyBuffer.PeakBytes(4 * MiB + 1).ShouldBe(12 * MiB);
    }

    [Fact]
    public async Task AGrowthPastTheBudgetIsRefusedWith503AndRetryAfterAndNothingMoreIsAllocated()
    {
        var budget = Budget(limit: 64 * 1024);
        using var first = new BodyBuffer(budget, MiB);
        (await first.ReadToEndAsync(new ChunkedSource(budget, [Bytes(20_000)]))).ShouldBeTrue();
        budget.InFlight.ShouldBe(32768);

        // Growing from 16 KiB to 32 KiB holds both for a moment: 32 + 16 + 32 KiB would pass the 64 KiB budget.
        var second = new BodyBuffer(budget, MiB);
        var source = new ChunkedSource(budget, [Bytes(10_000), Bytes(10_000)]);
        var refused = await Should.ThrowAsync<RequestException>(() => second.ReadToEndAsync(source));

        refused.Problem.Status.ShouldBe(503);
        refused.Problem.RetryAfterSeconds.ShouldBe(1);
        refused.Problem.Detail.ShouldContain("Switchboard:Http:MaxInFlightBodyBytes");
        source.ReservedAtEachRead.Max().ShouldBeLessThanOrEqualTo(64 * 1024);
        second.Capacity.ShouldBe(16384, "it keeps what it had until its owner disposes it");
        second.Dispose();
        budget.InFlight.ShouldBe(32768, "the refused body's bytes are released");
    }

    private static byte[] Bytes(int count, int seed = 0) => [.. Enumerable.Range(0, count).Select(i => (byte)(i * 7 + seed))];

    /// <summary>
    /// A body arriving in the given chunks, one per read (a read never gets more than its chunk), recording the room it
    /// was offered and what the budget held at each read.
    /// </summary>
    private sealed class ChunkedSource(RequestBodyBudget budget, byte[][] chunks) : Stream
    {
        private int _chunk;
        private int _offset;

        public List<long> ReservedAtEachRead { get; } = [];

        public List<int> RoomAtEachRead { get; } = [];

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ReservedAtEachRead.Add(budget.InFlight);
            RoomAtEachRead.Add(buffer.Length);
            if (_chunk == chunks.Length)
            {
                return ValueTask.FromResult(0);
            }

            var chunk = chunks[_chunk].AsSpan(_offset);
            var n = Math.Min(chunk.Length, buffer.Length);
            chunk[..n].CopyTo(buffer.Span);
            _offset += n;
            if (_offset == chunks[_chunk].Length)
            {
                (_chunk, _offset) = (_chunk + 1, 0);
            }

            return ValueTask.FromResult(n);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

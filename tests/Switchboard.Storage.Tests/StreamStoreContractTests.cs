using System.Collections.Concurrent;
using System.Text;
using Switchboard.Core.Json;
using Switchboard.Core.Storage;
using Switchboard.Core.Streams;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests;

/// <summary>
/// The durable-stream contract: the one unit of work (<see cref="StreamWriteProcessor"/>) over each store's primitives.
/// Every backend runs this same suite through a subclass that opens a store on a fresh database (and reopens it).
/// </summary>
public abstract partial class StreamStoreContractTests : IAsyncLifetime
{
    private readonly List<ISessionStore> _opened = [];
    private readonly StreamWriteProcessor _processor = new();

    protected ManualTimeProvider Time { get; } = new();

    /// <summary>Opens (and initializes) a store on this test's database; call again to reopen the same data.</summary>
    private protected abstract Task<ISessionStore> OpenStoreAsync(TimeProvider time);

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }
    }

    private protected async Task<IStreamStore> OpenAsync()
    {
        var store = await OpenStoreAsync(Time);
        _opened.Add(store);
        return (IStreamStore)store;
    }

    private protected async Task CloseAsync(IStreamStore store)
    {
        _opened.Remove((ISessionStore)store);
        await ((ISessionStore)store).DisposeAsync();
    }

    private protected Task<StreamOutcome[]> CommitAsync(IStreamStore store, params StreamWrite[] writes) =>
        _processor.CommitAsync(store, writes, WireTime.Now(Time), CancellationToken.None).WaitAsync(TestTimeouts.Default);

    private protected async Task<StreamOutcome> CommitOneAsync(IStreamStore store, StreamWrite write) => (await CommitAsync(store, write))[0];

    private protected static CreateStream Create(string path, string contentType = "text/plain", string? body = null) =>
        new(path, "owner") { ContentType = contentType, Body = StreamBody.Of(Bytes(body), contentType, forAppend: false) };

    private protected static AppendStream Append(string path, string? body, string contentType = "text/plain") =>
        new(path) { ContentType = contentType, Body = StreamBody.Of(Bytes(body), contentType, forAppend: true) };

    private static ReadOnlyMemory<byte> Bytes(string? text) => text is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(text);

    /// <summary>The stream's bytes from <paramref name="from"/> as the read path returns them (a JSON stream as its array).</summary>
    private protected static async Task<string> ReadAsync(IStreamStore store, string path, long from = 0)
    {
        var chain = (await store.ReadChainAsync(path, CancellationToken.None)).ShouldNotBeNull($"no stream at {path}");
        var text = new StringBuilder();
        while (true)
        {
            var ranges = chain.Ranges(from, chain.Stream.Tail);
            var chunks = ranges.Count == 0 ? [] : await store.ReadChunksAsync(ranges, 64, null, CancellationToken.None);
            var slice = StreamReads.Slice(chain, from, ranges, chunks, 64);
            if (slice.Json)
            {
                slice.Next.ShouldBe(chain.Stream.Tail, "the test's JSON streams fit one slice");
            }

            foreach (var part in slice.Body())
            {
                text.Append(Encoding.UTF8.GetString(part.Span));
            }

            if (slice.UpToDate)
            {
                return text.ToString();
            }

            slice.Next.ShouldBeGreaterThan(from, "a read moves on");
            from = slice.Next;
        }
    }

    private protected static async Task<StreamRow?> RowAsync(IStreamStore store, string path) =>
        (await store.ReadChainAsync(path, CancellationToken.None))?.Stream;

    [Fact]
    public async Task AStreamReadsBackItsInitialContentAndEveryAppendInOrder()
    {
        var store = await OpenAsync();
        var created = await CommitOneAsync(store, Create("runs/1/output", body: "hello"));
        created.Status.ShouldBe(StreamStatus.Created);
        created.Stream!.Tail.ShouldBe(5);
        (await CommitOneAsync(store, Append("runs/1/output", " world"))).Stream!.Tail.ShouldBe(11);
        (await CommitOneAsync(store, Append("runs/1/output", new string('x', 200)))).Status.ShouldBe(StreamStatus.Appended);

        (await ReadAsync(store, "runs/1/output")).ShouldBe("hello world" + new string('x', 200));
        (await ReadAsync(store, "runs/1/output", from: 5)).ShouldBe(" world" + new string('x', 200));
        var row = (await RowAsync(store, "runs/1/output"))!;
        (row.Id, row.ContentType, row.Tail, row.Closed, row.State).ShouldBe((created.Stream.Id, "text/plain", 211L, false, StreamLifecycle.Live));
    }

    [Fact]
    public async Task ACreateWithTheSameConfigurationMatchesAndAnyOtherConflicts()
    {
        var store = await OpenAsync();
        var first = await CommitOneAsync(store, Create("s") with { TtlSeconds = 60 });
        var again = await CommitOneAsync(store, Create("s", "TEXT/PLAIN; charset=utf-8", body: "ignored") with { TtlSeconds = 60 });
        again.Status.ShouldBe(StreamStatus.Matched);
        again.Stream!.Id.ShouldBe(first.Stream!.Id);
        (await CommitOneAsync(store, Create("s") with { TtlSeconds = 61 })).Status.ShouldBe(StreamStatus.Conflict);
        (await CommitOneAsync(store, Create("s", "application/json") with { TtlSeconds = 60 })).Status.ShouldBe(StreamStatus.Conflict);
        (await CommitOneAsync(store, Create("s") with { TtlSeconds = 60, Closed = true })).Status.ShouldBe(StreamStatus.Conflict);
        (await ReadAsync(store, "s")).ShouldBe("", "a confirming create appends nothing");
    }

    [Fact]
    public async Task AProducersStateCommitsWithItsBytesAndOutlivesTheStore()
    {
        var store = await OpenAsync();
        await CommitOneAsync(store, Create("s"));
        var p0 = Append("s", "a") with { Producer = new ProducerTuple("p", 0, 0) };
        (await CommitOneAsync(store, p0)).Producer.ShouldBe(ProducerDecision.Accept(0, 0));
        (await CommitOneAsync(store, Append("s", "b") with { Producer = new ProducerTuple("p", 0, 1) })).Status.ShouldBe(StreamStatus.Appended);

        await CloseAsync(store);
        store = await OpenAsync();
        var retry = await CommitOneAsync(store, p0);
        retry.Status.ShouldBe(StreamStatus.Duplicate);
        retry.Producer.ShouldBe(ProducerDecision.Duplicate(0, 1));
        (await CommitOneAsync(store, Append("s", "x") with { Producer = new ProducerTuple("p", 0, 3) })).Producer.ShouldBe(ProducerDecision.Gap(2, 3));
        (await CommitOneAsync(store, Append("s", "c") with { Producer = new ProducerTuple("p", 1, 0) })).Status.ShouldBe(StreamStatus.Appended);
        (await CommitOneAsync(store, Append("s", "z") with { Producer = new ProducerTuple("p", 0, 2) })).Status.ShouldBe(StreamStatus.StaleEpoch);
        (await ReadAsync(store, "s")).ShouldBe("abc");
    }

    [Fact]
    public async Task WritesInOneCommitSeeEachOtherInOrder()
    {
        var store = await OpenAsync();
        var outcomes = await CommitAsync(store,
            Create("s", body: "1"),
            Append("s", "2") with { Producer = new ProducerTuple("p", 0, 0) },
            Append("s", "2") with { Producer = new ProducerTuple("p", 0, 0) },
            Append("s", "3") with { StreamSeq = "b" },
            Append("s", "4") with { StreamSeq = "a" },
            new DeleteStream("s"),
            Create("s", body: "new"),
            Append("s", "!"));
        outcomes.Select(o => o.Status).ShouldBe([
            StreamStatus.Created, StreamStatus.Appended, StreamStatus.Duplicate, StreamStatus.Appended, StreamStatus.Conflict,
            StreamStatus.Deleted, StreamStatus.Created, StreamStatus.Appended]);
        outcomes[6].Stream!.Id.ShouldNotBe(outcomes[0].Stream!.Id, "a path created again is a new stream");
        (await ReadAsync(store, "s")).ShouldBe("new!");
    }

    [Fact]
    public async Task ARefusedAppendChangesNothing()
    {
        var store = await OpenAsync();
        await CommitOneAsync(store, Create("s", body: "ab"));
        await CommitOneAsync(store, Append("s", "c") with { StreamSeq = "5" });
        (await CommitOneAsync(store, Append("s", "{}", "application/json"))).Status.ShouldBe(StreamStatus.Conflict);
        (await CommitOneAsync(store, Append("s", "d") with { StreamSeq = "10" })).Status.ShouldBe(StreamStatus.Conflict, "'10' sorts before '5'");
        (await CommitOneAsync(store, Append("s", "d") with { Producer = new ProducerTuple("p", 0, 1) })).Status.ShouldBe(StreamStatus.SequenceGap);
        (await CommitOneAsync(store, Append("missing", "d"))).Status.ShouldBe(StreamStatus.NotFound);
        (await CommitOneAsync(store, Append("s", "e") with { Close = true, Producer = new ProducerTuple("p", 0, 0) })).Status.ShouldBe(StreamStatus.Appended);
        (await CommitOneAsync(store, Append("s", "f"))).Status.ShouldBe(StreamStatus.ClosedConflict);
        (await CommitOneAsync(store, Append("s", null) with { Close = true })).Status.ShouldBe(StreamStatus.AlreadyClosed);
        (await CommitOneAsync(store, Append("s", "e") with { Close = true, Producer = new ProducerTuple("p", 0, 0) })).Status
            .ShouldBe(StreamStatus.Duplicate, "the retry of the closing request");
        (await ReadAsync(store, "s")).ShouldBe("abce");
        (await RowAsync(store, "s"))!.Closed.ShouldBeTrue();
    }

    [Fact]
    public async Task JsonStreamsKeepMessagesAndFlattenOneLevel()
    {
        var store = await OpenAsync();
        await CommitOneAsync(store, Create("j", "application/json", """[{"n":1},{"n":2}]"""));
        await CommitOneAsync(store, Append("j", """[[3,4]]""", "application/json"));
        (await CommitOneAsync(store, Append("j", "[]", "application/json"))).Status.ShouldBe(StreamStatus.Invalid);
        (await CommitOneAsync(store, Append("j", "{oops", "application/json"))).Status.ShouldBe(StreamStatus.Invalid);
        (await ReadAsync(store, "j")).ShouldBe("""[{"n":1},{"n":2},[3,4]]""");
    }

    [Fact]
    public async Task ReadsTakeWholeChunksUpToTheirByteBudget()
    {
        var store = await OpenAsync();
        var created = await CommitOneAsync(store, Create("s"));
        for (var i = 0; i < 5; i++)
        {
            await CommitOneAsync(store, Append("s", new string((char)('a' + i), 100)));
        }

        var range = new[] { new ChunkRange(created.Stream!.Id, 0, 500) };
        (await store.ReadChunksAsync(range, 250, null, CancellationToken.None)).Select(c => c.Start).ShouldBe([0L, 100L, 200L]);
        (await store.ReadChunksAsync(range, 1, null, CancellationToken.None)).Count.ShouldBe(1, "at least one chunk");
        (await store.ReadChunksAsync([new ChunkRange(created.Stream.Id, 150, 320)], 10_000, null, CancellationToken.None)).Select(c => c.Start)
            .ShouldBe([100L, 200L, 300L], "chunks overlapping the range, whole");
    }

    [Fact]
    public async Task AWriteLocksTheStreamsItNamesWithAllTheirSourcesAndTheDueOnes()
    {
        var store = await OpenAsync();
        await CommitOneAsync(store, Create("a", body: "aaa"));
        await CommitOneAsync(store, new CreateStream("b", "owner") { ForkFrom = "a" });
        await CommitOneAsync(store, Append("b", "bb"));
        await CommitOneAsync(store, new CreateStream("c", "owner") { ForkFrom = "b" });
        await CommitOneAsync(store, Create("other"));
        await CommitOneAsync(store, new CreateStream("soon", "owner") { ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(1) });

        var locked = await store.WriteStreamsAsync((writer, ct) => writer.LockAsync(["c", "nothing-here"], null, ct), CancellationToken.None);
        locked.Select(r => r.Path).ShouldBe(["a", "b", "c"], ignoreOrder: true, "the fork, its source and its source's source");
        locked.Select(r => r.Id).ShouldBeInOrder(SortDirection.Ascending, "in id order, as every writer takes them");

        var due = await store.WriteStreamsAsync((writer, ct) => writer.LockAsync([], new DueStreams(DateTimeOffset.UtcNow.AddMinutes(1), 10), ct),
            CancellationToken.None);
        due.Select(r => r.Path).ShouldBe(["soon"], "only the streams due by then");
        (await ReadAsync(store, "c")).ShouldBe("aaabb");
    }

    [Fact]
    public async Task ReadsIntoRentedBuffersReturnTheSameBytes()
    {
        var store = await OpenAsync();
        var created = await CommitOneAsync(store, Create("r"));
        var appended = new[] { new string('x', 70_000), "y", new string('z', 300_000), new string('w', 1000) };
        foreach (var text in appended)
        {
            await CommitOneAsync(store, Append("r", text));
        }

        var range = new[] { new ChunkRange(created.Stream!.Id, 0, 371_001) };
        using (var buffers = new ChunkBuffers())
        {
            var chunks = await store.ReadChunksAsync(range, 1 << 20, buffers, CancellationToken.None);
            chunks.Select(c => Encoding.UTF8.GetString(c.Data.Span)).ShouldBe(appended);
            chunks.Select(c => c.End - c.Start).ShouldBe(appended.Select(a => (long)a.Length));
        }

        // The arrays went back to the pool; a second read into fresh buffers finds the same bytes.
        using var again = new ChunkBuffers();
        (await store.ReadChunksAsync(range, 1 << 20, again, CancellationToken.None)).Select(c => Encoding.UTF8.GetString(c.Data.Span)).ShouldBe(appended);
    }

    [Fact]
    public async Task EveryCommitTellsTheFeedWhichStreamsMoved()
    {
        var store = await OpenAsync();
        var sink = new RecordingSink();
        await store.StreamFeed.StartAsync(sink, CancellationToken.None);
        var created = await CommitOneAsync(store, Create("s", body: "ab"));
        await CommitOneAsync(store, Append("s", "c") with { Close = true });
        await CommitOneAsync(store, new DeleteStream("s"));
        await CommitOneAsync(store, Append("s", "refused"));

        var id = created.Stream!.Id;
        await sink.WaitForAsync(a => a.Ended);
        // At least once each, in commit order (PostgreSQL also echoes this node's own commits back through NOTIFY).
        sink.Advances.Where(a => a.StreamId == id).Distinct().ShouldBe([
            new StreamAdvance(id, 2, false, false), new StreamAdvance(id, 3, true, false), new StreamAdvance(id, 3, true, true)]);
    }

    [Fact]
    public async Task APerOwnerLimitCountsLiveStreams()
    {
        var store = await OpenAsync();
        (await CommitOneAsync(store, Create("a") with { OwnerLimit = 2 })).Status.ShouldBe(StreamStatus.Created);
        var outcomes = await CommitAsync(store, Create("b") with { OwnerLimit = 2 }, Create("c") with { OwnerLimit = 2 });
        outcomes.Select(o => o.Status).ShouldBe([StreamStatus.Created, StreamStatus.TooManyStreams]);
        (await CommitOneAsync(store, Create("c") with { OwnerLimit = 2, Owner = "another" })).Status.ShouldBe(StreamStatus.Created);
        await CommitOneAsync(store, new DeleteStream("a"));
        (await CommitOneAsync(store, Create("d") with { OwnerLimit = 2 })).Status.ShouldBe(StreamStatus.Created);
    }

    /// <summary>Records a feed's advances.</summary>
    private protected sealed class RecordingSink : IStreamSink
    {
        private readonly ConcurrentQueue<StreamAdvance> _advances = new();

        public int Resyncs;

        public IReadOnlyList<StreamAdvance> Advances => [.. _advances];

        public void OnAdvanced(IReadOnlyList<StreamAdvance> advances)
        {
            foreach (var a in advances)
            {
                _advances.Enqueue(a);
            }
        }

        public void OnResync(string reason) => Interlocked.Increment(ref Resyncs);

        public async Task WaitForAsync(Func<StreamAdvance, bool> condition)
        {
            using var timeout = new CancellationTokenSource(TestTimeouts.Default);
            while (!_advances.Any(condition))
            {
                await Task.Delay(10, timeout.Token);
            }
        }
    }
}

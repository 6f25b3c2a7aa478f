using System.Text;
using Switchboard.Core.Json;
using Switchboard.Core.Streams;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests.Postgres;

/// <summary>
/// Durable streams shared by several nodes on one database: writers of a path serialise across nodes (one create wins,
/// no append is lost), and a commit on one node reaches every other node's live readers through LISTEN/NOTIFY.
/// </summary>
public sealed class PostgresStreamNodesTests(PostgresClusterFixture postgres) : PostgresStoreTestBase(postgres)
{
    private readonly StreamWriteProcessor _processor = new();

    private async Task<StreamOutcome> CommitAsync(IStreamStore store, StreamWrite write) =>
        (await _processor.CommitAsync(store, [write], WireTime.Now(Time), CancellationToken.None).WaitAsync(TestTimeouts.Default))[0];

    private static CreateStream Create(string path, string contentType) => new(path, "owner") { ContentType = contentType };

    private static AppendStream Append(string path, string text, ProducerTuple? producer = null) => new(path)
    {
        ContentType = "text/plain",
        Body = StreamBody.Of(Encoding.UTF8.GetBytes(text), "text/plain", forAppend: true),
        Producer = producer,
    };

    [Fact]
    public async Task TwoNodesCreatingOnePathAtOnceMakeOneStream()
    {
        var a = await OpenNodeAsync();
        var b = await OpenNodeAsync();
        for (var i = 0; i < 10; i++)
        {
            var same = await Task.WhenAll(CommitAsync(a, Create($"same-{i}", "text/plain")), CommitAsync(b, Create($"same-{i}", "text/plain")));
            same.Select(o => o.Status).Order().ShouldBe([StreamStatus.Created, StreamStatus.Matched]);
            same[0].Stream!.Id.ShouldBe(same[1].Stream!.Id);

            var different = await Task.WhenAll(CommitAsync(a, Create($"diff-{i}", "text/plain")), CommitAsync(b, Create($"diff-{i}", "application/json")));
            different.Select(o => o.Status).Order().ShouldBe([StreamStatus.Created, StreamStatus.Conflict]);
        }
    }

    [Fact]
    public async Task AppendsFromTwoNodesToOneStreamAreAllKeptInOneOrder()
    {
        var a = await OpenNodeAsync();
        var b = await OpenNodeAsync();
        var created = await CommitAsync(a, Create("shared", "text/plain"));
        var writes = Enumerable.Range(0, 40).Select(i => CommitAsync(i % 2 == 0 ? a : b, Append("shared", $"<{i}>", new ProducerTuple($"p{i % 2}", 0, i / 2))));
        var outcomes = new List<StreamOutcome>();
        // Each producer's requests in order (a producer serialises its own), the two producers racing each other.
        foreach (var pair in writes.Chunk(2))
        {
            outcomes.AddRange(await Task.WhenAll(pair));
        }

        outcomes.ShouldAllBe(o => o.Status == StreamStatus.Appended);
        var chain = (await b.ReadChainAsync("shared", CancellationToken.None))!;
        var chunks = await b.ReadChunksAsync(chain.Ranges(0, chain.Stream.Tail), 1 << 20, null, CancellationToken.None);
        var text = string.Concat(chunks.Select(c => Encoding.UTF8.GetString(c.Data.Span)));
        Enumerable.Range(0, 40).ShouldAllBe(i => text.Contains($"<{i}>"));
        chain.Stream.Tail.ShouldBe(text.Length);
        chain.Stream.Id.ShouldBe(created.Stream!.Id);
    }

    [Fact]
    public async Task ACommitOnOneNodeReachesTheOtherNodesLiveReadersAndALostListenerResyncs()
    {
        var a = await OpenNodeAsync();
        var b = await OpenNodeAsync();
        var sink = new Sink();
        await b.StreamFeed.StartAsync(sink, CancellationToken.None).WaitAsync(TestTimeouts.Default);
        var created = await CommitAsync(a, Create("s", "text/plain"));
        await CommitAsync(a, Append("s", "hello"));
        await sink.WaitAsync(() => sink.Advances.Contains(new StreamAdvance(created.Stream!.Id, 5, false, false)));

        await Cluster.ExecuteAsync(
            $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Database}' AND application_name = 'switchboard stream listener';");
        await sink.WaitAsync(() => Volatile.Read(ref sink.Resyncs) > 0);
        await CommitAsync(a, Append("s", "!"));
        await sink.WaitAsync(() => sink.Advances.Contains(new StreamAdvance(created.Stream!.Id, 6, false, false)));
    }

    private sealed class Sink : IStreamSink
    {
        private readonly List<StreamAdvance> _advances = [];

        public int Resyncs;

        public IReadOnlyList<StreamAdvance> Advances
        {
            get
            {
                lock (_advances)
                {
                    return [.. _advances];
                }
            }
        }

        public void OnAdvanced(IReadOnlyList<StreamAdvance> advances)
        {
            lock (_advances)
            {
                _advances.AddRange(advances);
            }
        }

        public void OnResync(string reason) => Interlocked.Increment(ref Resyncs);

        public async Task WaitAsync(Func<bool> condition)
        {
            using var timeout = new CancellationTokenSource(TestTimeouts.Default);
            while (!condition())
            {
                await Task.Delay(10, timeout.Token);
            }
        }
    }
}

using Switchboard.Core.Events;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests.Postgres;

/// <summary>
/// seq order is commit order: a transaction that reserved a lower seq holds every later writer back, and a reader
/// never gets past a seq that is not committed yet, even when a higher one is.
/// </summary>
public sealed class PostgresOrderingTests(PostgresClusterFixture postgres) : PostgresStoreTestBase(postgres)
{
    private static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(800);

    [Fact]
    public async Task AWriterHoldingALowerSeqOpenKeepsTheNextWriterAndEveryReaderBehindIt()
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = false;
        var slow = await OpenNodeAsync(o => o with
        {
            BeforeCommit = async _ =>
            {
                if (Volatile.Read(ref holding))
                {
                    reached.TrySetResult();
                    await release.Task;
                }
            },
        });
        var fast = await OpenNodeAsync();
        var reader = await OpenNodeAsync();
        var feed = await TailAsync(reader);
        await WriteOne(fast, new CreateSession { Id = "first" });
        await feed.ReachedAsync(1);

        // The slow node reserves seq 2 and stops just before COMMIT.
        Volatile.Write(ref holding, true);
        var slowWrite = Task.Run(() => slow.WriteAsync([new CreateSession { Id = "slow" }], CancellationToken.None));
        await reached.Task.WaitAsync(TestTimeouts.Default);

        // The fast node's write must wait for it: if it committed seq 3 now, seq 2 could still commit after it.
        var fastWrite = Task.Run(() => fast.WriteAsync([new CreateSession { Id = "fast" }], CancellationToken.None));
        await Task.Delay(Hold);
        fastWrite.IsCompleted.ShouldBeFalse("a second writer committed while a lower seq was still open");
        feed.Seqs.ShouldBe([1L]);
        (await reader.ReadEventsAsync(new EventQuery(), CancellationToken.None)).Select(e => e.Seq).ShouldBe([1L]);
        (await reader.GetLogBoundsAsync(CancellationToken.None)).HeadSeq.ShouldBe(1);
        (await reader.LoadStateAsync(CancellationToken.None)).HeadSeq.ShouldBe(1);

        release.SetResult();
        var slowResult = (await slowWrite.WaitAsync(TestTimeouts.Default))[0];
        var fastResult = (await fastWrite.WaitAsync(TestTimeouts.Default))[0];
        slowResult.Event!.Seq.ShouldBe(2);
        fastResult.Event!.Seq.ShouldBe(3);
        await feed.ReachedAsync(3);
        feed.Seqs.ShouldBe([1L, 2, 3]);
        feed.Events.Select(e => e.SessionId).ShouldBe(["first", "slow", "fast"]);
    }

    [Fact]
    public async Task TheFeedWaitsForAnUncommittedLowerSeqInsteadOfSkippingIt()
    {
        // Rows written behind the store's back, in the one order the log lock forbids: seq 3 commits while seq 2 is open.
        var store = await OpenNodeAsync(o => o with { PollInterval = TimeSpan.FromMilliseconds(100) });
        await WriteOne(store, new CreateSession { Id = "a" });
        var feed = await TailAsync(store);
        await feed.ReachedAsync(1);

        await using var lower = await ConnectAsync();
        await using var lowerTransaction = await lower.BeginTransactionAsync();
        await ExecuteAsync(lower, InsertFleetEvent(2), lowerTransaction);

        await using var higher = await ConnectAsync();
        await ExecuteAsync(higher, InsertFleetEvent(3) + "UPDATE switchboard_log SET head_seq = 3; NOTIFY switchboard_events, '3';");

        // Notified and polled many times over, the feed still must not hand out 3 before 2.
        await Task.Delay(Hold);
        feed.Seqs.ShouldBe([1L]);

        await lowerTransaction.CommitAsync();
        await feed.ReachedAsync(3);
        feed.Seqs.ShouldBe([1L, 2, 3]);
    }

    [Fact]
    public async Task ConcurrentWritersOnTwoNodesGetOneContiguousSeqAndLoseNoUpdate()
    {
        var a = await OpenNodeAsync();
        var b = await OpenNodeAsync();
        var feedA = await TailAsync(a);
        var feedB = await TailAsync(b);
        await WriteOne(a, new CreateSession { Id = "shared" });

        // Four writers per node add usage to the same session at the same time.
        var seqs = new System.Collections.Concurrent.ConcurrentBag<long>();
        await Task.WhenAll(new[] { a, b, a, b, a, b, a, b }.Select(node => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                var result = await WriteOne(node, new AddUsage("shared") { InputTokens = 1 });
                result.Succeeded.ShouldBeTrue();
                seqs.Add(result.Event!.Seq);
            }
        })));

        seqs.Order().ShouldBe(Enumerable.Range(2, 160).Select(i => (long)i));
        var session = (await b.GetSessionAsync("shared", CancellationToken.None))!;
        session.InputTokens.ShouldBe(160);
        session.Version.ShouldBe(161);

        await feedA.ReachedAsync(161);
        await feedB.ReachedAsync(161);
        feedA.Seqs.ShouldBe(Enumerable.Range(1, 161).Select(i => (long)i));
        feedB.Seqs.ShouldBe(Enumerable.Range(1, 161).Select(i => (long)i));
        // Read back from the table, events carry no session object; the server derives it from the data.
        feedA.Events.ShouldAllBe(e => e.Session == null);
    }

    private static string InsertFleetEvent(long seq) =>
        $"INSERT INTO switchboard_events (seq, at, type, session_id, data) VALUES ({seq}, now(), '{EventTypes.FleetUpdated}', NULL, convert_to('{{\"is_paused\":false}}', 'UTF8'));";
}

using Switchboard.Core.Streams;

namespace Switchboard.Storage.Tests;

/// <summary>Forks, deletion with fork reference counts, expiry and reclaiming.</summary>
public abstract partial class StreamStoreContractTests
{
    private static CreateStream Fork(string path, string source, long? offset = null, long sub = 0) =>
        new(path, "owner") { ForkFrom = source, ForkOffset = offset, ForkSubOffset = sub };

    [Fact]
    public async Task AForkReadsItsSourceUpToTheForkPointThenOnlyItsOwnAppends()
    {
        var store = await OpenAsync();
        var first = await CommitOneAsync(store, Create("src", body: "first"));
        await CommitOneAsync(store, Append("src", "second"));
        var fork = await CommitOneAsync(store, Fork("fork", "src", offset: first.Stream!.Tail, sub: 3));
        fork.Status.ShouldBe(StreamStatus.Created);
        (fork.Stream!.ForkAt, fork.Stream.Tail, fork.Stream.ContentType).ShouldBe((8L, 8L, "text/plain"));
        await CommitOneAsync(store, Append("fork", "X"));
        await CommitOneAsync(store, Append("src", "third"));

        (await ReadAsync(store, "fork")).ShouldBe("firstsecX");
        (await ReadAsync(store, "fork", from: 8)).ShouldBe("X");
        (await ReadAsync(store, "src")).ShouldBe("firstsecondthird");
        (await CommitOneAsync(store, Fork("fork", "src", offset: first.Stream.Tail, sub: 3))).Status.ShouldBe(StreamStatus.Matched);
        (await CommitOneAsync(store, Fork("fork", "src", offset: first.Stream.Tail, sub: 2))).Status.ShouldBe(StreamStatus.Conflict);
    }

    [Fact]
    public async Task SubOffsetsComposeDownAChainAndCountMessagesInJson()
    {
        var store = await OpenAsync();
        await CommitOneAsync(store, Create("l0", body: "abcdef"));
        await CommitOneAsync(store, Fork("l1", "l0", offset: 0, sub: 4));
        await CommitOneAsync(store, Fork("l2", "l1", offset: 0, sub: 2));
        await CommitOneAsync(store, Append("l2", "Z"));
        (await ReadAsync(store, "l1")).ShouldBe("abcd");
        (await ReadAsync(store, "l2")).ShouldBe("abZ");
        (await CommitOneAsync(store, Fork("l3", "l1", offset: 0, sub: 5))).Status.ShouldBe(StreamStatus.Invalid, "past the append at the offset");

        await CommitOneAsync(store, Create("j", "application/json", """[{"a":1},{"b":2},{"c":3}]"""));
        await CommitOneAsync(store, Fork("jf", "j", offset: 0, sub: 2));
        (await ReadAsync(store, "jf")).ShouldBe("""[{"a":1},{"b":2}]""");
        (await CommitOneAsync(store, Fork("jx", "j", offset: 0, sub: 4))).Status.ShouldBe(StreamStatus.Invalid);
        (await CommitOneAsync(store, Fork("beyond", "j", offset: StreamOffset.MaxPosition))).Status.ShouldBe(StreamStatus.Invalid);
        (await CommitOneAsync(store, Fork("nowhere", "missing"))).Status.ShouldBe(StreamStatus.NotFound);
        (await CommitOneAsync(store, Fork("ct", "j") with { ContentType = "text/plain" })).Status.ShouldBe(StreamStatus.Conflict);
    }

    [Fact]
    public async Task ASourceDeletedWhileForkedIsGoneUntilItsLastForkGoesAndThenReclaimed()
    {
        var store = await OpenAsync();
        await CommitOneAsync(store, Create("l0", body: "A"));
        await CommitOneAsync(store, Fork("l1", "l0"));
        await CommitOneAsync(store, Append("l1", "B"));
        await CommitOneAsync(store, Fork("l2", "l1"));
        await CommitOneAsync(store, new DeleteStream("l0"));
        await CommitOneAsync(store, new DeleteStream("l1"));

        (await RowAsync(store, "l0"))!.State.ShouldBe(StreamLifecycle.Gone);
        (await CommitOneAsync(store, Append("l1", "x"))).Status.ShouldBe(StreamStatus.Gone);
        (await CommitOneAsync(store, Create("l1"))).Status.ShouldBe(StreamStatus.Conflict, "a soft-deleted path stays taken");
        (await CommitOneAsync(store, Fork("l3", "l0"))).Status.ShouldBe(StreamStatus.Conflict);
        (await ReadAsync(store, "l2")).ShouldBe("AB", "a fork reads the data its deleted sources keep");

        (await CommitOneAsync(store, new DeleteStream("l2"))).Status.ShouldBe(StreamStatus.Deleted);
        (await RowAsync(store, "l2")).ShouldBeNull();
        (await RowAsync(store, "l1")).ShouldBeNull("the cascade freed every path");
        (await RowAsync(store, "l0")).ShouldBeNull();
        (await store.ReclaimAsync(100, CancellationToken.None)).ShouldBe(3);
        (await store.ReclaimAsync(100, CancellationToken.None)).ShouldBe(0);
        (await CommitOneAsync(store, Create("l0"))).Status.ShouldBe(StreamStatus.Created);
    }

    [Fact]
    public async Task AnExpiredStreamAnswersAsDeletedAtOnceAndTheSweepFreesItsPath()
    {
        var store = await OpenAsync();
        await CommitOneAsync(store, Create("ttl", body: "x") with { TtlSeconds = 2 });
        await CommitOneAsync(store, Create("at") with { ExpiresAt = Time.GetUtcNow().AddSeconds(5) });
        Time.Advance(TimeSpan.FromSeconds(2));
        var chain = await store.ReadChainAsync("ttl", CancellationToken.None);
        StreamReads.Refusal(chain, Time.GetUtcNow()).ShouldBe(StreamStatus.NotFound, "expired before any sweep");
        (await CommitOneAsync(store, Append("ttl", "y"))).Status.ShouldBe(StreamStatus.NotFound);

        var sweep = await CommitOneAsync(store, new ExpireStreams(100));
        sweep.Expired.ShouldBe(0, "the append already expired it");
        Time.Advance(TimeSpan.FromSeconds(3));
        (await CommitOneAsync(store, new ExpireStreams(100))).Expired.ShouldBe(1);
        (await RowAsync(store, "at")).ShouldBeNull();
        (await CommitOneAsync(store, Create("ttl", "application/json"))).Status.ShouldBe(StreamStatus.Created);
    }

    [Fact]
    public async Task ARenewalMovesATtlAndAnExpiredSourceWithForksIsGone()
    {
        var store = await OpenAsync();
        await CommitOneAsync(store, Create("src", body: "data") with { TtlSeconds = 2 });
        await CommitOneAsync(store, Fork("fork", "src") with { TtlSeconds = 2 });
        Time.Advance(TimeSpan.FromMilliseconds(1500));
        var fork = (await RowAsync(store, "fork"))!;
        await store.RenewAsync(StreamExpiry.Renewed(fork, Time.GetUtcNow()).ShouldNotBeNull(), CancellationToken.None);
        Time.Advance(TimeSpan.FromSeconds(1));

        (await CommitOneAsync(store, new ExpireStreams(100))).Expired.ShouldBe(1);
        (await RowAsync(store, "src"))!.State.ShouldBe(StreamLifecycle.Gone, "its fork still reads it");
        (await RowAsync(store, "fork"))!.State.ShouldBe(StreamLifecycle.Live, "the read renewed it");
        (await ReadAsync(store, "fork")).ShouldBe("data");

        Time.Advance(TimeSpan.FromSeconds(2));
        (await CommitOneAsync(store, new ExpireStreams(100))).Expired.ShouldBe(1);
        (await RowAsync(store, "src")).ShouldBeNull("the fork's expiry released it");
    }

    [Fact]
    public async Task ReclaimingDeletesDataInBoundedSteps()
    {
        var store = await OpenAsync();
        await CommitOneAsync(store, Create("big"));
        await CommitAsync(store, [.. Enumerable.Range(0, 2500).Select(i => (StreamWrite)Append("big", "x"))]);
        await CommitOneAsync(store, new DeleteStream("big"));
        (await store.ReclaimAsync(10, CancellationToken.None)).ShouldBe(0, "2,000 chunks per step");
        (await store.ReclaimAsync(10, CancellationToken.None)).ShouldBe(1);
    }
}

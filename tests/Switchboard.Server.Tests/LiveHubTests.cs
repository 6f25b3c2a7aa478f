using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Ingest;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Outbound;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>
/// The live loop and the write pipeline on a real SQLite store: reads and joins wait for the loop to apply this node's
/// commits (read-your-writes), and writes wait for the loop's room (admission control), failing with nothing written when they
/// wait too long.
/// </summary>
public sealed class LiveHubTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("switchboard-livehub-").FullName;
    private readonly SocketOptions _options = new() { MaxPendingEvents = 1, WriteWaitTimeout = TestTimeouts.Long };
    private SqliteSessionStore _store = null!;
    private LiveHub _live = null!;
    private GroupCommit _pipeline = null!;
    private StoreState _state = null!;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteSessionStore(new SqliteStoreOptions(Path.Combine(_directory, "switchboard.db")), TimeProvider.System);
        await _store.InitializeAsync(CancellationToken.None);
        _state = await _store.LoadStateAsync(CancellationToken.None);
        // Not started yet: committed events wait in its inbox, as they do while a busy loop is behind.
        _live = new LiveHub(_store, _options, TimeProvider.System, NullLogger<LiveHub>.Instance);
        await _store.Feed.StartAsync(_state.HeadSeq, _live, CancellationToken.None);
        _pipeline = new GroupCommit(_store, _live, _options, NullLogger<GroupCommit>.Instance);
        _pipeline.Start();
    }

    [Fact]
    public async Task AReadWaitsForTheLiveLoopToApplyTheCommittedWrites()
    {
        var committed = await _pipeline.SubmitAsync([new CreateSession { Id = "a", Name = "a" }], CancellationToken.None);
        committed[0].Error.ShouldBeNull();
        var reads = new LiveReads(_live, _pipeline);

        var summary = reads.FleetSummaryAsync();
        await Task.Delay(200, TestContext.Current.CancellationToken);
        summary.IsCompleted.ShouldBeFalse("the loop has not applied the create yet");

        _live.Start(_state);
        var read = await summary.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        read.Values.TotalCount.ShouldBe(1);
        read.AsOfSeq.ShouldBe(committed[0].Event!.Seq);
    }

    [Fact]
    public async Task AJoinAfterAnAnsweredWriteFindsTheWriteInItsSnapshot()
    {
        var ct = TestContext.Current.CancellationToken;
        // A join waits the same way: answered once durable and FanoutAnswerWait has passed, the write is not applied yet.
        var committed = await _pipeline.SubmitAsync([new CreateSession { Id = "mine", Name = "mine" }], ct);
        committed[0].Error.ShouldBeNull();
        var joins = new JoinCoordinator(_live, _pipeline, _store, _options, NullLogger<JoinCoordinator>.Instance);
        var queue = new SendQueue(new Ignored(), 100, 1 << 20);
        TopicRoute.TryParse("sessions", out var route).ShouldBeTrue();

        var join = joins.JoinAsync(queue, new JoinRequest(route, null, null, null, 100) { JoinRef = "1" }, JoinReply.Phoenix("1", "1", "sessions"), null, ct);
        _live.Start(_state);
        await join.WaitAsync(TimeSpan.FromSeconds(10), ct);

        var frames = new OutboundFrame[16];
        var count = queue.Drain(frames);
        count.ShouldBeGreaterThan(0);
        var reply = Encoding.UTF8.GetString(frames[0].Text.Span);
        reply.ShouldContain("\"phx_reply\"");
        reply.ShouldContain("\"id\":\"mine\"", customMessage: "the snapshot holds the write answered before the join");
        reply.ShouldContain($"\"seq\":{committed[0].Event!.Seq}");
    }

    [Fact]
    public async Task AWriteThatWaitsForAdmissionTooLongFailsAndLeavesNoTrace()
    {
        var first = (await _pipeline.SubmitAsync([new CreateSession { Id = "first" }], CancellationToken.None))[0];
        first.Error.ShouldBeNull();

        // One event waits to be fanned out and one is the limit: the next write waits, then gives up.
        _options.WriteWaitTimeout = TestTimeouts.RefusedWrite;
        var refused = await Should.ThrowAsync<OverloadedException>(() =>
            _pipeline.SubmitAsync([new CreateSession { Id = "second" }], CancellationToken.None));
        refused.RetryAfter.ShouldBe(TimeSpan.FromSeconds(1));
        _pipeline.Refused.ShouldBe(1);
        (await _store.GetSessionAsync("second", CancellationToken.None)).ShouldBeNull("a refused write is not written, not even later");

        // The loop catches up: it fans out "first", then re-evaluates the gate in the same pass before it reports the
        // position. Waiting for that report (rather than giving the loop the write's 300 ms to get scheduled) means the
        // next write meets an open gate however busy the machine is.
        _live.Start(_state);
        await _live.WhenFannedOutAsync(first.Event!.Seq).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        _live.PendingEvents.ShouldBe(0);
        _options.WriteWaitTimeout = TestTimeouts.Long;
        (await _pipeline.SubmitAsync([new CreateSession { Id = "third" }], CancellationToken.None))[0].Error.ShouldBeNull("writes resume once the loop catches up");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        (await _store.GetSessionAsync("second", CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task FaultsInjectedTogetherAllFireNoneReplacesAnother()
    {
        // Both faults reach the loop in the same pass as the events: the second must not replace the first.
        var first = _live.InjectFault("first", Task.CompletedTask);
        var second = _live.InjectFault("second", Task.CompletedTask);
        var committed = await _pipeline.SubmitAsync([new CreateSession { Id = "a" }, new CreateSession { Id = "b" }], CancellationToken.None);
        committed.ShouldAllBe(r => r.Error == null);

        _live.Start(_state);
        await first.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await second.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _pipeline.DisposeAsync();
        await _live.StopAsync();
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed class Ignored : ISendQueueConsumer
    {
        public void OnFramesAvailable()
        {
        }

        public void OnOverflow()
        {
        }

        public void OnReset(string reason)
        {
        }
    }
}

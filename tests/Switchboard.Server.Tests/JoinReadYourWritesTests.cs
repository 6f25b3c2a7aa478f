using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Ingest;
using Switchboard.Live;
using Switchboard.Options;
using Switchboard.Outbound;
using Switchboard.Storage;
using Switchboard.Storage.Sqlite;
using Switchboard.Writes;

namespace Switchboard.Server.Tests;

/// <summary>
/// Read-your-writes on subscribe: a join waits until the live loop has applied what this node committed before it, so a
/// client that got its 2xx and then subscribes finds its write in the snapshot. Real SQLite store; the loop starts only
/// after the join has arrived, as a busy loop that is behind would take it.
/// </summary>
public sealed class JoinReadYourWritesTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("switchboard-join-ryw-").FullName;
    private readonly StreamOptions _options = new();
    private SqliteSessionStore _store = null!;
    private LiveHub _live = null!;
    private WritePipeline _pipeline = null!;
    private StoreState _state = null!;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteSessionStore(new SqliteStoreOptions(Path.Combine(_directory, "switchboard.db")), TimeProvider.System);
        await _store.InitializeAsync(CancellationToken.None);
        _state = await _store.LoadStateAsync(CancellationToken.None);
        // Not started yet: committed events wait in its inbox, as they do while a busy loop is behind.
        _live = new LiveHub(_store, _options, TimeProvider.System, NullLogger<LiveHub>.Instance);
        await _store.Feed.StartAsync(_state.HeadSeq, _live, CancellationToken.None);
        _pipeline = new WritePipeline(_store, _live, _options, NullLogger<WritePipeline>.Instance);
        _pipeline.Start();
    }

    [Fact]
    public async Task AJoinAfterAnAnsweredWriteFindsTheWriteInItsSnapshot()
    {
        var ct = TestContext.Current.CancellationToken;
        // Answered once durable and FanoutAnswerWait has passed: the loop has not applied it.
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

using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>
/// Read-your-writes waits that the live loop parks until their position is applied are bounded like the requests in its
/// inbox (<c>Stream:MaxQueuedRequests</c>): past that many, a wait is answered at once as if it had timed out (its caller
/// goes on from the state as it stands), so waits for a position that is slow to come never pile up on the loop.
/// </summary>
public sealed class LiveWaitBoundTests : IAsyncLifetime
{
    private static readonly TimeSpan LongWait = TimeSpan.FromHours(1);
    private readonly string _directory = Directory.CreateTempSubdirectory("switchboard-waits-").FullName;
    private SqliteSessionStore _store = null!;
    private LiveHub _live = null!;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteSessionStore(new SqliteStoreOptions(Path.Combine(_directory, "switchboard.db")), TimeProvider.System);
        await _store.InitializeAsync(CancellationToken.None);
        _live = new LiveHub(_store, new SocketOptions { MaxQueuedRequests = 2 }, TimeProvider.System, NullLogger<LiveHub>.Instance);
        _live.Start(await _store.LoadStateAsync(CancellationToken.None));
    }

    [Fact]
    public async Task WaitsPastTheBoundAreAnsweredAtOnceAndTheParkedOnesStayParked()
    {
        var ahead = _live.HeadSeq + 10; // a position no write will bring
        var first = _live.WhenAppliedAsync(ahead, LongWait);
        var second = _live.WhenAppliedAsync(ahead, LongWait);
        // Both taken from the inbox (so no longer counted as waiting there); the loop handles in order, so the next one comes after them.
        await TestTimeouts.Eventually(() => _live.InboxDepth == 0, "the loop to take both waits");

        (await _live.WhenAppliedAsync(ahead, LongWait).Within()).ShouldBeFalse("a third parked wait is past the bound");
        first.IsCompleted.ShouldBeFalse();
        second.IsCompleted.ShouldBeFalse();

        await _live.StopAsync();
        (await first.Within()).ShouldBeFalse("stopping answers the parked waits");
        (await second.Within()).ShouldBeFalse();
    }

    public async ValueTask DisposeAsync()
    {
        await _live.StopAsync();
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

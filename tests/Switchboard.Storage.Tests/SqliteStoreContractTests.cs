using Microsoft.Data.Sqlite;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests;

/// <summary>The store contract against SQLite files in a temporary directory.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests
{
    private readonly TempDirectory _dir = new();

    private protected override async Task<ISessionStore> OpenStoreAsync(TimeProvider time)
    {
        var store = new SqliteSessionStore(new SqliteStoreOptions(Path.Combine(_dir.Path, "switchboard.db")) { Usage = TestUsage }, time);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>The SQLite writer's own behaviour beyond the contract.</summary>
public sealed class SqliteWriterTests : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();

    private string DatabasePath => Path.Combine(_dir.Path, "switchboard.db");

    [Fact]
    public async Task ARowChangedUnderTheWriterIsReadAgainNotServedFromItsCache()
    {
        var store = new SqliteSessionStore(new SqliteStoreOptions(DatabasePath), TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        await using (store)
        {
            await store.WriteAsync([new CreateSession { Id = "a", State = SessionState.Working }], CancellationToken.None);
            (await store.WriteAsync([new AddUsage("a") { InputTokens = 5 }], CancellationToken.None))[0].Session!.InputTokens.ShouldBe(5);

            // Another process writes the same file: the session's row and one event.
            await using (var other = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
            {
                await other.OpenAsync();
                await using var command = other.CreateCommand();
                command.CommandText =
                    "UPDATE sessions SET input_tokens = 1000, version = version + 1 WHERE id = 'a';" +
                    "INSERT INTO events(at, type, session_id, data) VALUES (0, 'session_updated', 'a', x'7b7d');";
                await command.ExecuteNonQueryAsync();
            }

            // The first write sees the moved head and is refused; the retry starts from the row as it is in the file.
            await Should.ThrowAsync<StoreUnavailableException>(() =>
                store.WriteAsync([new AddUsage("a") { InputTokens = 1 }], CancellationToken.None));
            var retried = (await store.WriteAsync([new AddUsage("a") { InputTokens = 1 }], CancellationToken.None))[0];
            retried.Session!.InputTokens.ShouldBe(1001);
            (await store.GetSessionAsync("a", CancellationToken.None))!.InputTokens.ShouldBe(1001);
        }
    }

    [Fact]
    public async Task TheWalIsCheckpointedBesideTheWriterAndStaysBounded()
    {
        var store = new SqliteSessionStore(new SqliteStoreOptions(DatabasePath), TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        await using (store)
        {
            var now = DateTimeOffset.UtcNow;
            await store.CreateWebhookAsync(new Switchboard.Core.Webhooks.WebhookEndpoint { Id = "hook", Url = "http://127.0.0.1:9/", Secret = "s" }, CancellationToken.None);
            (await store.AcquireWebhookLeaseAsync("hook", "node", now, now.AddMinutes(1), CancellationToken.None)).ShouldNotBeNull();
            await store.WriteAsync([new CreateSession { Id = "a", State = SessionState.Working }], CancellationToken.None);

            // Webhook bookkeeping and ingest commits alternate, back to back, as under load: over 30,000 WAL frames (about
            // 130 MB), three times the writer's bound.
            for (var i = 1; i <= 5_000; i++)
            {
                var progress = new Switchboard.Core.Webhooks.WebhookProgress(i, Switchboard.Core.Webhooks.WebhookStates.Active, i, 0, 0, null, now);
                (await store.SaveWebhookProgressAsync("hook", "node", i - 1, progress, CancellationToken.None)).ShouldBeTrue();
                await store.WriteAsync([new AddUsage("a") { InputTokens = 1 }], CancellationToken.None);
            }

            // The loop checkpointed on its own connection; the WAL started again (after a checkpoint of the loop's that ended
            // between two commits, or the writer's at its bound) and never grew past the bound and the commit that crossed
            // it (a frame is a 4 KiB page and its 24-byte header).
            store.Checkpointer!.Passes.ShouldBeGreaterThan(0);
            store.Checkpointer.Restarts.ShouldBeGreaterThan(0);
            new FileInfo(DatabasePath + "-wal").Length.ShouldBeLessThanOrEqualTo((WalCheckpointer.InlinePages + 50) * (4096L + 24));
            (await store.GetSessionAsync("a", CancellationToken.None))!.InputTokens.ShouldBe(5_000);
        }

        // Closed (its last connection checkpoints what is left) and opened again: nothing is lost.
        var reopened = new SqliteSessionStore(new SqliteStoreOptions(DatabasePath), TimeProvider.System);
        await reopened.InitializeAsync(CancellationToken.None);
        await using (reopened)
        {
            (await reopened.GetSessionAsync("a", CancellationToken.None))!.InputTokens.ShouldBe(5_000);
        }
    }

    public ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}

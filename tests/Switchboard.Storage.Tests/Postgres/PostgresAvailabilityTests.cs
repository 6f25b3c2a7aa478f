using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Storage.Postgres;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests.Postgres;

/// <summary>A database that cannot be reached is reported as <see cref="StoreUnavailableException"/>, and nothing half-happens.</summary>
public sealed class PostgresAvailabilityTests(PostgresClusterFixture postgres) : PostgresStoreTestBase(postgres)
{
    [Fact]
    public async Task AServerThatIsNotThereFailsInitializationAsUnavailable()
    {
        var nobody = $"Host=127.0.0.1;Port={FreePort.Next()};Username=postgres;Database=switchboard;Timeout=3";
        await using var store = new PostgresSessionStore(new PostgresStoreOptions(nobody), Time);
        var ex = await Should.ThrowAsync<StoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));
        ex.Message.ShouldContain("PostgreSQL could not create the schema");
    }

    [Fact]
    public async Task WhileTheDatabaseRefusesConnectionsWritesAndReadsAreUnavailableAndNothingIsWritten()
    {
        var store = await OpenNodeAsync(o => o with { MinReconnectDelay = TimeSpan.FromMilliseconds(50), MaxReconnectDelay = TimeSpan.FromMilliseconds(200) });
        var feed = await TailAsync(store);
        await WriteOne(store, new CreateSession { Id = "before" });
        await feed.ReachedAsync(1);

        await Cluster.ExecuteAsync($"ALTER DATABASE \"{Database}\" WITH ALLOW_CONNECTIONS false;");
        await Cluster.ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Database}';");
        try
        {
            await Should.ThrowAsync<StoreUnavailableException>(() => store.WriteAsync([new CreateSession { Id = "lost" }], CancellationToken.None));
            await Should.ThrowAsync<StoreUnavailableException>(() => store.GetSessionAsync("before", CancellationToken.None));
            await Should.ThrowAsync<StoreUnavailableException>(() => store.GetLogBoundsAsync(CancellationToken.None));
            await TestTimeouts.Eventually(() => !store.IsListening, "the feed to notice the database is gone");
            store.NotReadyReason.ShouldNotBeNull();
        }
        finally
        {
            await Cluster.ExecuteAsync($"ALTER DATABASE \"{Database}\" WITH ALLOW_CONNECTIONS true;");
        }

        (await store.GetSessionAsync("lost", CancellationToken.None)).ShouldBeNull();
        (await WriteOne(store, new CreateSession { Id = "after" })).Event!.Seq.ShouldBe(2);
        await feed.ReachedAsync(2);
        feed.Seqs.ShouldBe([1L, 2]);
        store.IsListening.ShouldBeTrue();
        store.NotReadyReason.ShouldBeNull();
    }

    [Fact]
    public async Task AWriteOnAPooledConnectionThatDiedIsRetriedOnAFreshOne()
    {
        var store = await OpenNodeAsync();
        await WriteOne(store, new CreateSession { Id = "warm" });
        // Every idle pooled connection of the store dies, as when PostgreSQL restarts between two writes.
        await Cluster.ExecuteAsync(
            $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Database}' AND application_name <> 'switchboard listener';");
        (await WriteOne(store, new CreateSession { Id = "next" })).Event!.Seq.ShouldBe(2);
    }
}

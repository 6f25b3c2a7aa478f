using Switchboard.Core.Storage;
using Switchboard.Storage.Postgres;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests.Postgres;

/// <summary>The durable-stream contract against a real PostgreSQL: every test gets a fresh database in the cluster.</summary>
public sealed class PostgresStreamStoreContractTests(PostgresClusterFixture postgres) : StreamStoreContractTests
{
    private string? _connectionString;

    private protected override async Task<ISessionStore> OpenStoreAsync(TimeProvider time)
    {
        _connectionString ??= await (await postgres.GetAsync()).CreateDatabaseAsync();
        var store = new PostgresSessionStore(new PostgresStoreOptions(_connectionString), time);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }
}

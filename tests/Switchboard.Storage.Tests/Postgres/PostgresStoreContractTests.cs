using Switchboard.Core.Storage;
using Switchboard.Storage.Postgres;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests.Postgres;

/// <summary>The store contract against a real PostgreSQL: every test gets a fresh database in the class's cluster.</summary>
public sealed class PostgresStoreContractTests(PostgresClusterFixture postgres) : StoreContractTests
{
    private string? _connectionString;

    private protected override async Task<ISessionStore> OpenStoreAsync(TimeProvider time)
    {
        _connectionString ??= await (await postgres.GetAsync()).CreateDatabaseAsync();
        var store = new PostgresSessionStore(new PostgresStoreOptions(_connectionString) { Usage = TestUsage }, time);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }
}

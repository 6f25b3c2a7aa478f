using Switchboard.Core.Storage;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests;

/// <summary>The durable-stream contract against SQLite files in a temporary directory.</summary>
public sealed class SqliteStreamStoreContractTests : StreamStoreContractTests
{
    private readonly TempDirectory _dir = new();

    private protected override async Task<ISessionStore> OpenStoreAsync(TimeProvider time)
    {
        var store = new SqliteSessionStore(new SqliteStoreOptions(Path.Combine(_dir.Path, "switchboard.db")), time);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _dir.Dispose();
    }
}

using Npgsql;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Storage.Postgres;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests.Postgres;

/// <summary>Opens several stores ("nodes") on one fresh database of the class's cluster and disposes them after the test.</summary>
public abstract class PostgresStoreTestBase(PostgresClusterFixture postgres) : IAsyncLifetime
{
    private readonly List<PostgresSessionStore> _stores = [];
    private PostgresCluster? _cluster;

    protected PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("InitializeAsync has not run.");

    protected ManualTimeProvider Time { get; } = new();

    /// <summary>This test's database.</summary>
    protected string ConnectionString { get; private set; } = "";

    protected string Database => new NpgsqlConnectionStringBuilder(ConnectionString).Database!;

    public async ValueTask InitializeAsync()
    {
        _cluster = await postgres.GetAsync();
        ConnectionString = await _cluster.CreateDatabaseAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    private protected async Task<PostgresSessionStore> OpenNodeAsync(Func<PostgresStoreOptions, PostgresStoreOptions>? configure = null)
    {
        var options = new PostgresStoreOptions(ConnectionString);
        var store = new PostgresSessionStore(configure?.Invoke(options) ?? options, Time);
        _stores.Add(store);
        await store.InitializeAsync(CancellationToken.None).WaitAsync(TestTimeouts.Default);
        return store;
    }

    private protected static async Task<WriteResult> WriteOne(ISessionStore store, SessionWrite write) =>
        (await store.WriteAsync([write], CancellationToken.None).WaitAsync(TestTimeouts.Default))[0];

    /// <summary>A connection of the test's own, for holding transactions open or writing rows behind the store's back.</summary>
    protected async Task<NpgsqlConnection> ConnectAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
        await connection.OpenAsync().WaitAsync(TestTimeouts.Default);
        return connection;
    }

    protected static async Task ExecuteAsync(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync().WaitAsync(TestTimeouts.Default);
    }

    /// <summary>Starts a store's feed into a fresh recording sink.</summary>
    private protected static async Task<EventRecorder> TailAsync(ISessionStore store, long afterSeq = 0)
    {
        var sink = new EventRecorder();
        await store.Feed.StartAsync(afterSeq, sink, CancellationToken.None).WaitAsync(TestTimeouts.Default);
        return sink;
    }
}

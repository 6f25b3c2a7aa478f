using Switchboard.Testing;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// The stores an A/B run's servers run on. SQLite needs nothing: every server starts on a fresh data directory.
/// PostgreSQL is one throwaway cluster for the whole run, on a free loopback port, started the way the tests start
/// theirs (<see cref="PostgresCluster"/>: <c>initdb</c> and <c>pg_ctl</c> as the <c>postgres</c> OS user when run as
/// root, <c>fsync=off</c>), and every server gets a database of its own, created before it starts and dropped after,
/// so neither build runs on a bigger database or later in one database's life.
/// </summary>
internal sealed class AbStores(BenchOptions options, TextWriter log) : IAsyncDisposable
{
    private PostgresCluster? _postgres;
    private int _databases;

    /// <summary>The cluster's <c>server_version</c>, once one was started.</summary>
    public string? PostgresVersion { get; private set; }

    /// <summary>Runs <paramref name="run"/> with the environment that puts a server on <paramref name="store"/>.</summary>
    public async Task<T> WithAsync<T>(AbStore store, Func<Dictionary<string, string>, Task<T>> run)
    {
        var environment = new Dictionary<string, string>(options.SwitchboardEnvironment);
        if (store == AbStore.Sqlite)
        {
            return await run(environment);
        }

        var cluster = await ClusterAsync();
        var database = $"ab_{++_databases}";
        environment["SWITCHBOARD_STORE"] = "postgres";
        environment["SWITCHBOARD_CONNECTION_STRING"] = await cluster.CreateDatabaseAsync(database);
        try
        {
            return await run(environment);
        }
        finally
        {
            // The server has stopped by now; FORCE ends any connection it may have left behind.
            await cluster.ExecuteAsync($"DROP DATABASE \"{database}\" WITH (FORCE);");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    private async Task<PostgresCluster> ClusterAsync()
    {
        if (_postgres is null)
        {
            _postgres = await PostgresCluster.StartAsync();
            PostgresVersion = await _postgres.ScalarAsync<string>("SHOW server_version;");
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] A/B: PostgreSQL {PostgresVersion} on 127.0.0.1:{_postgres.Port}");
        }

        return _postgres;
    }
}

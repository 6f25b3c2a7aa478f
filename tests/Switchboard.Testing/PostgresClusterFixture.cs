namespace Switchboard.Testing;

/// <summary>
/// One <see cref="PostgresCluster"/> shared by many tests (register it as an xunit assembly or class fixture): started on
/// first use, so tests that never ask pay nothing, and stopped when the test framework disposes the fixture.
/// Tests create a database each.
/// </summary>
public sealed class PostgresClusterFixture : IAsyncDisposable
{
    private readonly Lazy<Task<PostgresCluster>> _cluster = new(PostgresCluster.StartAsync);

    /// <summary>The running cluster; a failed start (for instance, PostgreSQL is not installed) fails every test that asks.</summary>
    public Task<PostgresCluster> GetAsync() => _cluster.Value.WaitAsync(TestTimeouts.Long);

    public async ValueTask DisposeAsync()
    {
        if (_cluster.IsValueCreated && _cluster.Value.IsCompletedSuccessfully)
        {
            await _cluster.Value.Result.DisposeAsync();
        }
    }
}

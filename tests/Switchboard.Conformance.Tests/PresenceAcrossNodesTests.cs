using Switchboard.Testing;

namespace Switchboard.Conformance.Tests;

/// <summary>
/// Presence behind a load balancer: two real nodes on one PostgreSQL database, phoenix.js <c>Presence</c> on node B
/// listing a viewer connected to node A, which disappears within the liveness bound once A is killed with SIGKILL,
/// and comes back once (a fresh, never reused ref) when A restarts.
/// </summary>
public sealed class PresenceAcrossNodesTests(PostgresClusterFixture postgres)
{
    private static Task<ServerProcess> StartNodeAsync(TempDirectory data, string connectionString) =>
        ServerProcess.StartAsync(data.Path, ["--store", "postgres", "--connection-string", connectionString]);

    [Fact]
    public async Task AViewerOnOneNodeIsListedOnTheOtherAndLeavesWithItsNode()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        using var dataA = new TempDirectory();
        using var dataB = new TempDirectory();
        var a = await StartNodeAsync(dataA, db);
        await using var b = await StartNodeAsync(dataB, db);
        try
        {
            await using var driver = NodeDriver.Start("conformance/presence-nodes.js", a.BaseAddress,
                new Dictionary<string, string> { ["SWITCHBOARD_URL_B"] = b.BaseAddress.ToString().TrimEnd('/') });
            try
            {
                await driver.WaitForSignalAsync("visible");
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"Node A's log:\n{a.Output}\nNode B's log:\n{b.Output}", ex);
            }
            await a.KillAsync();
            await driver.SendAsync("killed");
            await driver.WaitForSignalAsync("gone", TimeSpan.FromSeconds(30));

            await a.DisposeAsync();
            a = await StartNodeAsync(dataA, db);
            await driver.SendAsync("restarted " + a.BaseAddress.ToString().TrimEnd('/'));
            await driver.WaitForExitAsync();
        }
        finally
        {
            await a.DisposeAsync();
        }
    }
}

using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests;

/// <summary>A real server on the store a test over both names: SQLite in its own directory, or a fresh PostgreSQL database.</summary>
internal static class EitherStore
{
    public static async Task<SwitchboardServer> StartAsync(PostgresClusterFixture postgres, string store, Action<SwitchboardOptions> configure)
    {
        if (store != "postgres")
        {
            return await SwitchboardServer.StartAsync(configure);
        }

        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        return await SwitchboardServer.StartAsync(configure, store: b => b.UsePostgres(db));
    }
}

using Switchboard.Testing;

namespace Switchboard.FunctionalTests.MultiNode;

/// <summary><c>switchboard serve</c> refuses store settings it cannot honour, at start and with a message that says what to do.</summary>
public sealed class StoreConfigurationTests
{
    [Fact]
    public async Task PostgresWithoutAConnectionStringRefusesToStartAndSaysHowToFixIt()
    {
        using var data = new TempDirectory();
        var ex = await Should.ThrowAsync<InvalidOperationException>(() => ServerProcess.StartAsync(data.Path, ["--store", "postgres"]));
        ex.Message.ShouldContain("no connection string was given");
        ex.Message.ShouldContain("SWITCHBOARD_CONNECTION_STRING");
    }

    [Fact]
    public async Task AnUnknownStoreFromTheEnvironmentRefusesToStart()
    {
        using var data = new TempDirectory();
        var ex = await Should.ThrowAsync<InvalidOperationException>(() =>
            ServerProcess.StartAsync(data.Path, environment: new Dictionary<string, string> { ["SWITCHBOARD_STORE"] = "mongo" }));
        ex.Message.ShouldContain("Unknown store 'mongo' (from SWITCHBOARD_STORE). Use sqlite (the embedded default) or postgres.");
    }

    [Fact]
    public async Task AConnectionStringWithoutThePostgresStoreRefusesToStart()
    {
        using var data = new TempDirectory();
        var ex = await Should.ThrowAsync<InvalidOperationException>(() =>
            ServerProcess.StartAsync(data.Path, ["--connection-string", "Host=127.0.0.1;Password=secret-value"]));
        ex.Message.ShouldContain("--connection-string is set, but the store is sqlite");
        ex.Message.ShouldNotContain("secret-value");
    }

    [Fact]
    public async Task AnUnreachableDatabaseFailsStartUpInsteadOfServing()
    {
        using var data = new TempDirectory();
        var nowhere = $"Host=127.0.0.1;Port={FreePort.Next()};Username=postgres;Database=switchboard;Timeout=3";
        var ex = await Should.ThrowAsync<InvalidOperationException>(() =>
            ServerProcess.StartAsync(data.Path, ["--store", "postgres", "--connection-string", nowhere]));
        ex.Message.ShouldContain("PostgreSQL could not create the schema");
    }
}

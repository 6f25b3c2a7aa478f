using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>switchboard serve</c> names its store on the same builder an embedding app uses, chosen from the command line, the
/// environment or the configuration; and every setting out of range is one line naming the key, the value and what is allowed.
/// </summary>
public sealed class StoreAndSettingsTests(PostgresClusterFixture postgres) : IClassFixture<PostgresClusterFixture>
{
    [Fact]
    public async Task ASettingOutOfRangeIsOneLineNamingTheKeyTheValueAndWhatIsAllowed()
    {
        using var data = new TempDirectory();
        var line = await Cli.FailsWithOneLineAsync(1, new Dictionary<string, string> { ["Switchboard__Sockets__SendQueueMaxFrames"] = "0" },
            "--urls", "http://127.0.0.1:0", "--data-dir", data.Path);
        line.ShouldBe("switchboard: Switchboard:Sockets:SendQueueMaxFrames = 0 is not allowed: it must be at least 1.");
        File.Exists(Path.Combine(data.Path, "switchboard.db")).ShouldBeFalse("nothing was opened");
    }

    [Fact]
    public async Task AStoreSettingOutOfRangeIsOneLineToo()
    {
        using var data = new TempDirectory();
        var line = await Cli.FailsWithOneLineAsync(1, new Dictionary<string, string> { ["Switchboard__Postgres__PollInterval"] = "00:00:00" },
            "--urls", "http://127.0.0.1:0", "--data-dir", data.Path, "--store", "postgres", "--connection-string", "Host=127.0.0.1;Port=1;Database=none");
        line.ShouldBe("switchboard: Switchboard:Postgres:PollInterval = 00:00:00 is not allowed: it must be a positive duration such as 00:00:02.");
    }

    [Fact]
    public async Task AStoreSettingThatDoesNotBindSaysWhatWhereAndWhatItTakes()
    {
        using var data = new TempDirectory();
        var line = await Cli.FailsWithOneLineAsync(1, new Dictionary<string, string> { ["Switchboard__Sqlite__Durability"] = "Sometimes" },
            "--urls", "http://127.0.0.1:0", "--data-dir", data.Path);
        line.ShouldBe("switchboard: the setting Switchboard:Sqlite:Durability = 'Sometimes' (from environment variable Switchboard__Sqlite__Durability) is not one of Normal, Full.");
    }

    [Fact]
    public async Task WithNothingNamedTheStoreIsSqliteInTheDataDirectoryWithTheConfiguredDurability()
    {
        using var data = new TempDirectory();
        await using var server = Cli.StartWith(new Dictionary<string, string> { ["Switchboard__Sqlite__Durability"] = "Full" },
            "--urls", "http://127.0.0.1:0", "--data-dir", data.Path);
        await server.WaitForListeningAsync();
        await server.WaitForLineAsync(l => l.Contains("Store: ", StringComparison.Ordinal));
        server.Output.ShouldContain($"Store: sqlite (switchboard.db, durability Full); data directory: {data.Path}");
        File.Exists(Path.Combine(data.Path, "switchboard.db")).ShouldBeTrue();
    }

    [Fact]
    public async Task TheStoreIsChosenFromTheConfiguration()
    {
        var cluster = await postgres.GetAsync();
        var db = await cluster.CreateDatabaseAsync();
        var database = new Npgsql.NpgsqlConnectionStringBuilder(db).Database;
        using var data = new TempDirectory();
        await using var server = Cli.StartWith(
            new Dictionary<string, string> { ["Switchboard__Store"] = "postgres", ["Switchboard__Postgres__ConnectionString"] = db },
            "--urls", "http://127.0.0.1:0", "--data-dir", data.Path);
        await server.WaitForListeningAsync();
        await server.WaitForLineAsync(l => l.Contains("Store: ", StringComparison.Ordinal));
        server.Output.ShouldContain($"Store: postgres (database {database} on 127.0.0.1:{cluster.Port})");
        File.Exists(Path.Combine(data.Path, "switchboard.db")).ShouldBeFalse("no SQLite database beside PostgreSQL");
    }

    [Fact]
    public async Task APostgresStoreFromTheConfigurationWithoutAConnectionStringSaysWhereItCameFrom()
    {
        using var data = new TempDirectory();
        var line = await Cli.FailsWithOneLineAsync(1, new Dictionary<string, string> { ["Switchboard__Store"] = "postgres" },
            "--urls", "http://127.0.0.1:0", "--data-dir", data.Path);
        line.ShouldStartWith("switchboard: The store is postgres (environment variable Switchboard__Store), but no connection string was given.");
    }
}

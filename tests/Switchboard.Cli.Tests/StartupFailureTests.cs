using System.Net;
using System.Net.Sockets;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// Whatever stops the server from starting is one line that says what and where, exit code 1, and no stack trace unless
/// --verbose (the host used to print about fifty lines, twice, for a port in use).
/// </summary>
public sealed class StartupFailureTests(PostgresClusterFixture postgres) : IClassFixture<PostgresClusterFixture>
{
    [Fact]
    public async Task APortInUseNamesTheAddressAndUrls()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        using var data = new TempDirectory();

        var line = await Cli.FailsWithOneLineAsync(1, null, "--urls", address, "--data-dir", data.Path);
        line.ShouldStartWith($"switchboard: {address} is already in use");
        line.ShouldContain("--urls");

        var (code, verbose) = await Cli.RunAsync("--urls", address, "--data-dir", data.Path, "--verbose");
        await using (verbose)
        {
            code.ShouldBe(1);
            verbose.Output.ShouldContain("   at ", Case.Sensitive, "--verbose shows the stack trace");
        }
    }

    [Fact]
    public async Task AShortApiKeySaysWhichVariable()
    {
        using var data = new TempDirectory();
        var line = await Cli.FailsWithOneLineAsync(1, new Dictionary<string, string> { ["SWITCHBOARD_API_KEYS"] = "short" }, "--urls", "http://127.0.0.1:0", "--data-dir", data.Path);
        line.ShouldBe("switchboard: SWITCHBOARD_API_KEYS: API key #1 is shorter than 16 characters; use a random one, e.g. one from `switchboard keys new`.");
    }

    [Fact]
    public async Task AShortTokenSecretSaysWhichVariable()
    {
        using var data = new TempDirectory();
        var line = await Cli.FailsWithOneLineAsync(1,
            new Dictionary<string, string> { ["SWITCHBOARD_API_KEYS"] = "a-long-enough-key-0123456789", ["SWITCHBOARD_TOKEN_SECRET"] = "too-short" },
            "--urls", "http://127.0.0.1:0", "--data-dir", data.Path);
        line.ShouldStartWith("switchboard: SWITCHBOARD_TOKEN_SECRET is shorter than 32 characters");
    }

    [Fact]
    public async Task ABadSettingSaysWhatWhereAndWhatItTakes()
    {
        using var data = new TempDirectory();
        var line = await Cli.FailsWithOneLineAsync(1, new Dictionary<string, string> { ["Switchboard__Sockets__MaxConnections"] = "lots" },
            "--urls", "http://127.0.0.1:0", "--data-dir", data.Path);
        line.ShouldBe("switchboard: the setting Switchboard:Sockets:MaxConnections = 'lots' (from environment variable Switchboard__Sockets__MaxConnections) is not a whole number.");
    }

    [Fact]
    public async Task ABarePortInTheEnvironmentIsRefusedBeforeKestrelSeesIt()
    {
        using var data = new TempDirectory();
        var line = await Cli.FailsWithOneLineAsync(1, new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "5090" }, "--data-dir", data.Path);
        line.ShouldBe("switchboard: environment variable ASPNETCORE_URLS takes addresses with a scheme, host and port, such as http://127.0.0.1:5090; got '5090'.");
    }

    [Fact]
    public async Task AMissingPostgresDatabaseIsNamedWithTheCreatedbHint()
    {
        var cluster = await postgres.GetAsync();
        using var data = new TempDirectory();
        var line = await Cli.FailsWithOneLineAsync(1, null, "--urls", "http://127.0.0.1:0", "--data-dir", data.Path,
            "--store", "postgres", "--connection-string", cluster.ConnectionString("no_such_database"));
        line.ShouldStartWith($"switchboard: the PostgreSQL database \"no_such_database\" does not exist on 127.0.0.1:{cluster.Port}. Create it first, e.g. createdb -h 127.0.0.1 -p {cluster.Port}");
        line.ShouldContain("no_such_database, then start again");
    }
}

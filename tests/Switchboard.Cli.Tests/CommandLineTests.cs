using System.Reflection;
using Switchboard.Client;

namespace Switchboard.Cli.Tests;

/// <summary>
/// A strict command line: a typo or a bad value is one line in the user's terms, exit code 2, and never starts a server
/// (the unknown word used to become a configuration argument and the server started anyway).
/// </summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("unknown command 'sesions'. Did you mean 'sessions'?", "sesions")]
    [InlineData("unknown option '--port'. To choose where the server listens, use --urls http://127.0.0.1:5090.", "--port", "5090")]
    [InlineData("--urls takes addresses with a scheme, host and port, such as http://127.0.0.1:5090; got '5090'.", "--urls", "5090")]
    [InlineData("--sessions takes a whole number from 1 to 500; got 'abc'.", "demo", "--sessions", "abc")]
    [InlineData("--since takes a seq, a whole number from 0 (the seq of the last event you saw); got 'abc'.", "tail", "--since", "abc")]
    [InlineData("--durability is Normal or Full; got 'fast'.", "--durability", "fast")]
    [InlineData("unknown option '--jsn' for 'tail'. Did you mean '--json'?", "tail", "--jsn")]
    [InlineData("unknown option '--limt' for 'sessions'. Did you mean '--limit'?", "sessions", "--limt", "5")]
    [InlineData("unknown command 'nwe' for 'keys'. Did you mean 'new'?", "keys", "nwe")]
    [InlineData("'keys' needs a command: switchboard keys new.", "keys")]
    [InlineData("unexpected argument 'extra' for 'serve'. See 'switchboard serve --help'.", "serve", "extra")]
    [InlineData("--ttl takes a positive time such as 90s, 5m, 1h or 00:05:00; got 'forever'.", "token", "--ttl", "forever")]
    public async Task AMistakeIsOneLineWithExitCodeTwoAndStartsNoServer(string expected, params string[] args)
    {
        var line = await Cli.FailsWithOneLineAsync(2, null, args);
        line.ShouldBe("switchboard: " + expected);
    }

    [Fact]
    public async Task ConfigurationStillPassesThroughAsSectionAndKey()
    {
        using var data = new Testing.TempDirectory();
        await using var server = await Testing.ServerProcess.StartAsync(data.Path, ["--Switchboard:Sockets:MaxConnections=7", "--environment", "Staging"]);
        await Testing.TestTimeouts.Eventually(() => Task.FromResult(server.Output.Contains("Hosting environment: Staging", StringComparison.Ordinal)),
            "the environment from --environment");
        server.HasExited.ShouldBeFalse();
    }

    [Fact]
    public async Task TheToolAndTheClientHaveOneVersion()
    {
        var (code, process) = await Cli.RunAsync("--version");
        await using (process)
        {
            code.ShouldBe(0, process.Output);
            var client = typeof(SwitchboardClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
            process.StdoutLines.Single().Split('+')[0].ShouldBe(client.Split('+')[0]);
        }
    }
}

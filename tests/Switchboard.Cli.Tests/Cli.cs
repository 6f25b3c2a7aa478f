using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>Starts the real <c>switchboard</c> executable with arguments.</summary>
internal static class Cli
{
    /// <summary>
    /// No key from the environment the tests run in leaks into a child unless a test sets it, and no child takes the
    /// machine's default OTLP/gRPC port (tests run many servers at once; <c>OtlpGrpcDefaultTests</c> covers the default).
    /// </summary>
    private static readonly Dictionary<string, string> CleanEnvironment = new()
    {
        ["SWITCHBOARD_API_KEY"] = "", ["SWITCHBOARD_API_KEYS"] = "", ["Switchboard__Otlp__GrpcUrls"] = "",
    };

    public static ChildProcess Start(params string[] args) => ChildProcess.Start(RepoPaths.ServerDll, args, CleanEnvironment);

    /// <summary>Starts a command with extra environment variables.</summary>
    public static ChildProcess StartWith(IDictionary<string, string> environment, params string[] args) =>
        ChildProcess.Start(RepoPaths.ServerDll, args, EnvironmentWith(environment));

    /// <summary>The clean environment with <paramref name="extra"/> over it, for any build of the executable.</summary>
    public static Dictionary<string, string> EnvironmentWith(IEnumerable<KeyValuePair<string, string>>? extra)
    {
        var merged = new Dictionary<string, string>(CleanEnvironment);
        foreach (var (name, value) in extra ?? [])
        {
            merged[name] = value;
        }

        return merged;
    }

    /// <summary>Runs a command to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, ChildProcess Process)> RunAsync(params string[] args)
    {
        var process = Start(args);
        var code = await process.WaitForExitAsync();
        return (code, process);
    }

    /// <summary>Runs a command with extra environment variables to completion.</summary>
    public static async Task<(int ExitCode, ChildProcess Process)> RunWithAsync(IDictionary<string, string> environment, params string[] args)
    {
        var process = StartWith(environment, args);
        var code = await process.WaitForExitAsync();
        return (code, process);
    }

    /// <summary>What the process wrote to stderr, line by line.</summary>
    public static IReadOnlyList<string> StderrLines(this ChildProcess process) =>
        process.Output.Split("\n--- stderr ---\n", 2)[1].Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Runs a command that must fail at once with exactly one line on stderr and no stack trace; returns that line.</summary>
    public static async Task<string> FailsWithOneLineAsync(int exitCode, IDictionary<string, string>? environment, params string[] args)
    {
        var (code, process) = await RunWithAsync(environment ?? new Dictionary<string, string>(), args);
        await using (process)
        {
            code.ShouldBe(exitCode, process.Output);
            var stderr = process.StderrLines();
            stderr.Count.ShouldBe(1, process.Output);
            stderr[0].ShouldStartWith("switchboard: ");
            process.Output.ShouldNotContain("   at ", Case.Sensitive, "no stack trace without --verbose");
            process.Output.ShouldNotContain("Hosting failed to start");
            process.Output.ShouldNotContain("System.", Case.Sensitive, "no .NET type names");
            process.Output.ShouldNotContain("Now listening on", Case.Sensitive, "no server was started");
            return stderr[0];
        }
    }
}

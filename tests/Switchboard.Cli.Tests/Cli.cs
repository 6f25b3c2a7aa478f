using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>Starts the real <c>switchboard</c> executable with arguments.</summary>
internal static class Cli
{
    public static ChildProcess Start(params string[] args) => ChildProcess.Start(RepoPaths.ServerDll, args);

    /// <summary>Runs a command to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, ChildProcess Process)> RunAsync(params string[] args)
    {
        var process = Start(args);
        var code = await process.WaitForExitAsync();
        return (code, process);
    }
}

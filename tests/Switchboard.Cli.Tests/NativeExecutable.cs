using System.Diagnostics;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// The Native AOT executable, published once for the test class as the README says
/// (<c>dotnet publish src/Switchboard -c Release -r linux-x64 -p:SwitchboardAot=true</c>). The native compiler needs
/// clang and zlib's headers (Debian's <c>clang</c> and <c>zlib1g-dev</c>, which <c>.ci/run</c> installs): without them
/// every test that asks fails, saying so. ILC takes minutes (4–6 on two cores, docs/testing.md); a publish whose
/// inputs did not change since the last one in this checkout reuses its native code.
/// </summary>
public sealed class NativeExecutable : IAsyncDisposable
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(45);

    private readonly TempDirectory _output = new("switchboard-native");
    private readonly Lazy<Task<string>> _binary;

    public NativeExecutable() => _binary = new(PublishAsync);

    /// <summary>The published executable's path; the first caller publishes it.</summary>
    public Task<string> GetAsync() => _binary.Value;

    /// <summary>
    /// Starts <c>switchboard serve</c> on 127.0.0.1:0 with <paramref name="args"/>, in the Cli tests' clean environment
    /// plus <paramref name="environment"/>, and waits until it listens.
    /// </summary>
    public async Task<(ChildProcess Server, Uri Address)> ServeAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var binary = await GetAsync();
        var merged = Cli.EnvironmentWith(environment);
        merged.TryAdd("Logging__LogLevel__Microsoft.Hosting.Lifetime", "Information");
        var server = ChildProcess.StartExecutable(binary, ["serve", "--urls", "http://127.0.0.1:0", .. args],
            merged.ToDictionary(e => e.Key, string? (e) => e.Value));
        try
        {
            return (server, await server.WaitForListeningAsync());
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task<string> PublishAsync()
    {
        // Checked first so that the failure names what is missing rather than a linker error deep in the output.
        HasCommand("clang").ShouldBeTrue("Native AOT needs clang on PATH (apt-get install clang; .ci/run installs it)");
        File.Exists("/usr/include/zlib.h").ShouldBeTrue("Native AOT needs zlib's headers and library (apt-get install zlib1g-dev; .ci/run installs it)");

        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        var clock = Stopwatch.StartNew();
        var (code, output) = await ProcessRunner.RunAsync("dotnet",
            ["publish", Path.Combine("src", "Switchboard"), "-c", "Release", "-r", "linux-x64", "-p:SwitchboardAot=true", "-o", _output.Path],
            RepoPaths.Root, PublishTimeout);
        code.ShouldBe(0, $"the Native AOT publish failed:\n{output}");
        output.ShouldNotContain("warning IL", customMessage: "the native publish must have no trim or AOT warnings");
        var binary = Path.Combine(_output.Path, "switchboard");
        File.Exists(binary).ShouldBeTrue(output);
        File.Exists(Path.Combine(_output.Path, "switchboard.dll")).ShouldBeFalse("a native executable, not a managed one");
        TestContext.Current.SendDiagnosticMessage($"Native AOT publish: {clock.Elapsed.TotalSeconds:F0} s at load average {load}");
        return binary;
    }

    private static bool HasCommand(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, name)));

    public ValueTask DisposeAsync()
    {
        _output.Dispose();
        return ValueTask.CompletedTask;
    }
}

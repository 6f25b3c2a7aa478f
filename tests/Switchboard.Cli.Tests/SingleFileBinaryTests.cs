using System.Net;
using System.Net.Http.Json;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// The way to run Switchboard without the .NET SDK: <c>build/publish.sh</c> makes one self-contained linux-x64 file,
/// and it serves with no <c>dotnet</c> on PATH and no <c>DOTNET_ROOT</c>. Published once per test run.
/// </summary>
public sealed class SingleFileBinaryTests
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task ThePublishedBinaryServesWithoutDotnet()
    {
        using var output = new TempDirectory("switchboard-publish");
        var binary = await PublishAsync(output.Path);
        Directory.GetFiles(output.Path).ShouldBe([binary], "one file");

        using var data = new TempDirectory();
        using var extract = new TempDirectory("switchboard-extract");
        var environment = new Dictionary<string, string?>
        {
            ["PATH"] = string.Join(':', (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
                .Where(dir => dir.Length > 0 && !File.Exists(Path.Combine(dir, "dotnet")))),
            ["DOTNET_ROOT"] = null,
            ["DOTNET_ROOT_X64"] = null,
            ["DOTNET_HOST_PATH"] = null,
            ["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = extract.Path,
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            ["Switchboard__Otlp__GrpcUrls"] = "", // 127.0.0.1:4317 is OtlpGrpcDefaultTests' to hold
        };
        environment["PATH"]!.Split(':').ShouldAllBe(dir => !File.Exists(Path.Combine(dir, "dotnet")));

        await using var server = ChildProcess.StartExecutable(binary, ["--urls", "http://127.0.0.1:0", "--data-dir", data.Path], environment);
        var address = await server.WaitForListeningAsync();
        using var http = new HttpClient { BaseAddress = address, Timeout = TestTimeouts.Default };
        var created = await http.PostAsJsonAsync("/api/sessions", new { id = "from-the-binary", name = "single file" });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var session = await http.GetFromJsonAsync<Dictionary<string, object>>("/api/sessions/from-the-binary");
        session!["name"].ToString().ShouldBe("single file");
        File.Exists(Path.Combine(data.Path, "switchboard.db")).ShouldBeTrue();
    }

    /// <summary>Runs the repository's publish script into <paramref name="directory"/> and returns the binary's path.</summary>
    private static async Task<string> PublishAsync(string directory)
    {
        var (code, output) = await ProcessRunner.RunAsync("bash", [Path.Combine(RepoPaths.Root, "build", "publish.sh"), directory], RepoPaths.Root, PublishTimeout);
        code.ShouldBe(0, $"build/publish.sh failed:\n{output}");
        var binary = output.Trim().Split('\n')[^1];
        File.Exists(binary).ShouldBeTrue(output);
        return binary;
    }
}

using System.Net.Http.Headers;
using Switchboard.Client;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// The executable with auth: one environment variable turns it on, a non-loopback address without keys is refused, and
/// the client commands take <c>--api-key</c> or <c>SWITCHBOARD_API_KEY</c>.
/// </summary>
public sealed class AuthCommandTests
{
    private const string WriteKey = "cli-write-key-0123456789";
    private const string ReadKey = "cli-read-key-0123456789";

    private static Task<SwitchboardServer> StartSecuredAsync() =>
        SwitchboardServer.StartAsync(o => o.Security.AddApiKeys($"{WriteKey},{ReadKey}:read"));

    [Fact]
    public async Task OneEnvironmentVariableTurnsAuthOn()
    {
        using var data = new TempDirectory();
        await using var server = await ServerProcess.StartAsync(data.Path, environment: new Dictionary<string, string> { ["SWITCHBOARD_API_KEYS"] = WriteKey });
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Default };
        ((int)(await http.GetAsync("/api/summary")).StatusCode).ShouldBe(401);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", WriteKey);
        ((int)(await http.GetAsync("/api/summary")).StatusCode).ShouldBe(200);
        server.Output.ShouldNotContain(WriteKey);
        File.Exists(Path.Combine(data.Path, "token-secret")).ShouldBeTrue("the signing secret is generated for single-node use");
    }

    [Fact]
    public async Task ServeRefusesAnExposedAddressWithoutKeysAndSaysWhatToDo()
    {
        using var data = new TempDirectory();
        var (code, process) = await Cli.RunAsync("serve", "--urls", "http://0.0.0.0:0", "--data-dir", data.Path);
        code.ShouldBe(1, process.Output);
        process.Output.ShouldContain("no API keys are configured");
        process.Output.ShouldContain("SWITCHBOARD_API_KEYS=");
        process.Output.ShouldContain("--insecure");
        process.Output.ShouldNotContain("   at "); // a message, not a stack trace
        await process.DisposeAsync();
    }

    [Fact]
    public async Task ServeOnAllInterfacesRunsWithKeysOrInsecure()
    {
        using var data = new TempDirectory();
        await using (var withKeys = await ServerProcess.StartAsync(data.Path, urls: "http://0.0.0.0:0",
            environment: new Dictionary<string, string> { ["SWITCHBOARD_API_KEYS"] = WriteKey }))
        {
            withKeys.HasExited.ShouldBeFalse();
        }

        await using var insecure = await ServerProcess.StartAsync(data.Path, ["--insecure"], urls: "http://0.0.0.0:0");
        insecure.HasExited.ShouldBeFalse();
        await TestTimeouts.Eventually(() => insecure.Output.Contains("with auth off (--insecure)", StringComparison.Ordinal), "the insecure warning");
    }

    [Fact]
    public async Task TailAndSessionsTakeTheKeyFromTheOptionOrTheEnvironment()
    {
        await using var server = await StartSecuredAsync();
        using var writer = new SwitchboardClient(server.BaseAddress, new SwitchboardClientOptions { ApiKey = WriteKey });
        await writer.CreateSessionAsync(new NewSession { Id = "guarded", State = SessionState.Working });
        var url = server.BaseAddress.ToString();

        var (code, sessions) = await Cli.RunWithAsync(new Dictionary<string, string> { ["SWITCHBOARD_API_KEY"] = ReadKey }, "sessions", "--url", url);
        code.ShouldBe(0, sessions.Output);
        sessions.StdoutLines.ShouldContain(l => l.StartsWith("guarded", StringComparison.Ordinal));
        await sessions.DisposeAsync();

        await using var tail = Cli.Start("tail", "--url", url, "--api-key", ReadKey, "--json", "--no-summary");
        await tail.WaitForLineAsync(l => l.StartsWith("# joined sessions", StringComparison.Ordinal), stderr: true);
        await writer.UpdateSessionAsync("guarded", new SessionUpdate { State = SessionState.Idle });
        (await tail.WaitForLineAsync(l => l.Contains("session_updated", StringComparison.Ordinal))).ShouldContain("guarded");
        tail.Output.ShouldNotContain(ReadKey);
    }

    [Fact]
    public async Task WithoutAKeyTheCommandsSayHowToPassOne()
    {
        await using var server = await StartSecuredAsync();
        var url = server.BaseAddress.ToString();

        var (code, sessions) = await Cli.RunAsync("sessions", "--url", url);
        code.ShouldBe(1);
        sessions.Output.ShouldContain("--api-key");
        sessions.Output.ShouldContain("SWITCHBOARD_API_KEY");
        await sessions.DisposeAsync();

        var (tailCode, tail) = await Cli.RunAsync("tail", "--url", url);
        tailCode.ShouldBe(1);
        tail.Output.ShouldContain("--api-key");
        await tail.DisposeAsync();

        var (demoCode, demo) = await Cli.RunAsync("demo", "--url", url, "--api-key", ReadKey, "--duration", "5s");
        demoCode.ShouldBe(1, demo.Output);
        demo.Output.ShouldContain("insufficient_scope");
        await demo.DisposeAsync();
    }
}

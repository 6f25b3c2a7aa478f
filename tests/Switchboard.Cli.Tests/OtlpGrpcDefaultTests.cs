using System.Net;
using System.Net.Sockets;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// The executable's OTLP/gRPC listener: the default address (127.0.0.1:4317) is best effort, so a second server or a
/// collector holding it costs one warning and nothing else; an address given explicitly must bind, or start-up stops
/// with one line.
/// </summary>
public sealed class OtlpGrpcDefaultTests
{
    private const int DefaultPort = 4317;

    [Fact]
    public async Task TheDefaultAddressTakenByAnotherProcessIsOneWarningAndTheServerRunsWithoutIt()
    {
        using var holder = await HoldDefaultPortAsync();
        using var data = new TempDirectory();
        // The executable as a user starts it: no OTLP setting at all (Cli's clean environment turns gRPC off).
        await using var server = ChildProcess.Start(RepoPaths.ServerDll, ["--urls", "http://127.0.0.1:0", "--data-dir", data.Path],
            new Dictionary<string, string> { ["SWITCHBOARD_API_KEY"] = "", ["SWITCHBOARD_API_KEYS"] = "" });
        var address = await server.WaitForListeningAsync();

        using var http = new HttpClient { BaseAddress = address };
        (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK, server.Output);
        // OTLP/HTTP on the main listener still works.
        using var otlp = new ByteArrayContent([]);
        otlp.Headers.ContentType = new("application/x-protobuf");
        (await http.PostAsync(new Uri("/v1/traces", UriKind.Relative), otlp)).StatusCode.ShouldBe(HttpStatusCode.OK, server.Output);

        var warnings = server.Output.Split('\n').Count(l => l.Contains($"The default OTLP/gRPC address http://127.0.0.1:{DefaultPort} could not be bound", StringComparison.Ordinal));
        warnings.ShouldBe(1, server.Output);
        server.Output.ShouldNotContain("   at ", Case.Sensitive, "a warning, not a stack trace");
    }

    [Fact]
    public async Task AnExplicitAddressThatIsTakenStopsStartUpWithOneLine()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        using var data = new TempDirectory();

        var line = await Cli.FailsWithOneLineAsync(1, null, "--urls", "http://127.0.0.1:0", "--data-dir", data.Path, "--otlp-grpc-urls", address);
        line.ShouldContain("Switchboard:Otlp:GrpcUrls");
        line.ShouldContain(address);
    }

    /// <summary>
    /// Takes 4317 for the test. No other server this suite starts listens there (each turns OTLP/gRPC off), but a process
    /// that holds it only for a moment must not make the test rely on a holder that then goes away (the server would bind
    /// the port and rightly say nothing): so a taken port is tried again for a while. Still taken after that, it belongs
    /// to something long-lived on this machine (a collector), which holds it for the test just as well.
    /// </summary>
    private static async Task<IDisposable?> HoldDefaultPortAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var listener = new TcpListener(IPAddress.Loopback, DefaultPort);
            try
            {
                listener.Start();
                return listener;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                listener.Dispose();
                if (DateTime.UtcNow > deadline)
                {
                    return null;
                }
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}

namespace Switchboard.Testing;

/// <summary>
/// The real <c>switchboard</c> executable started as a child process on 127.0.0.1:0, for tests that need
/// to kill it (<c>kill -9</c>) or run several nodes. The bound address is read from its log.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private ServerProcess(ChildProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int Pid => _process.Pid;

    public bool HasExited => _process.HasExited;

    public string Output => _process.Output;

    public Uri WebSocketUri => new($"ws://{BaseAddress.Authority}/socket/websocket?vsn=2.0.0");

    public static async Task<ServerProcess> StartAsync(string dataDirectory, IEnumerable<string>? extraArgs = null,
        IDictionary<string, string>? environment = null, string urls = "http://127.0.0.1:0")
    {
        // Off unless a test asks for it: many servers run at once, and the default 127.0.0.1:4317 is the machine's.
        var env = new Dictionary<string, string>
        {
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information", ["Switchboard__Otlp__GrpcUrls"] = "",
        };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        var process = ChildProcess.Start(RepoPaths.ServerDll, ["--urls", urls, "--data-dir", dataDirectory, .. extraArgs ?? []], env);
        try
        {
            return new ServerProcess(process, await process.WaitForListeningAsync());
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like <c>kill -9</c>.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>SIGTERM: a graceful stop, as a service manager would do it.</summary>
    public async Task StopAsync()
    {
        _process.Signal(Posix.SigTerm);
        await _process.WaitForExitAsync();
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}

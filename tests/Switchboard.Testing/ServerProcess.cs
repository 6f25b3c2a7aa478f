using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.Testing;

/// <summary>
/// The real <c>switchboard</c> executable started as a child process on 127.0.0.1:0, for tests that need
/// to kill it (<c>kill -9</c>) or run several nodes. The bound address is read from its log.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public Uri WebSocketUri => new($"ws://{BaseAddress.Authority}/socket/websocket?vsn=2.0.0");

    public static async Task<ServerProcess> StartAsync(string dataDirectory, IEnumerable<string>? extraArgs = null,
        IDictionary<string, string>? environment = null, string urls = "http://127.0.0.1:0")
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepoPaths.ServerDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(urls);
        start.ArgumentList.Add("--data-dir");
        start.ArgumentList.Add(dataDirectory);
        foreach (var arg in extraArgs ?? [])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.Exited += (_, _) => server._listening.TrySetException(
            new InvalidOperationException($"switchboard exited with {SafeExitCode(process)} before listening. Output:\n{server.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            server.BaseAddress = await server._listening.Task.WaitAsync(TestTimeouts.Long);
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new TimeoutException("switchboard did not start listening within the timeout. Output:\n" + server.Output);
        }

        return server;
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like <c>kill -9</c>.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
    }

    /// <summary>SIGTERM: a graceful stop, as a service manager would do it.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            Posix.Kill(_process.Id, Posix.SigTerm);
        }

        await _process.WaitForExitAsync().WaitAsync(TestTimeouts.Long);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ListeningLine().Match(line) is { Success: true } m)
        {
            _listening.TrySetResult(new Uri(m.Groups[1].Value));
        }
    }

    private static string SafeExitCode(Process p)
    {
        try
        {
            return p.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}

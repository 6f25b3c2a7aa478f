using System.Diagnostics;
using System.Text;

namespace Switchboard.Testing;

/// <summary>
/// Runs a Node.js driver from <c>tests/js</c> against a server. The driver signals with <c>@@ word json</c> lines
/// and takes commands on stdin. A missing <c>node</c> fails the test; it never skips.
/// </summary>
public sealed class NodeDriver : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<string> _signals = [];
    private readonly SemaphoreSlim _signalArrived = new(0);

    private NodeDriver(Process process) => _process = process;

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

    public static NodeDriver Start(string script, Uri server, IDictionary<string, string>? environment = null)
    {
        var path = Path.Combine(RepoPaths.JsTests, script);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException("Node driver not found", path);
        }

        if (!Directory.Exists(Path.Combine(RepoPaths.JsTests, "node_modules", "phoenix")))
        {
            throw new InvalidOperationException("tests/js/node_modules is missing: the build runs `npm ci` there (tests/js/Npm.targets).");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepoPaths.JsTests,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(path);
        // Scheme, authority and any base path (an app may map Switchboard under a prefix); lib.js appends /socket and /api/….
        start.Environment["SWITCHBOARD_URL"] = server.GetLeftPart(UriPartial.Authority) + server.AbsolutePath.TrimEnd('/');
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        var process = new Process { StartInfo = start };
        var driver = new NodeDriver(process);
        process.OutputDataReceived += (_, e) => driver.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => driver.OnLine(e.Data is null ? null : "[stderr] " + e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("`node` is not installed; the Node.js conformance tests need it (see .ci/run).", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return driver;
    }

    /// <summary>Runs a driver to completion and fails with its output unless it exits 0.</summary>
    public static async Task RunAsync(string script, Uri server, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        await using var driver = Start(script, server, environment);
        await driver.WaitForExitAsync(timeout);
    }

    public async Task WaitForExitAsync(TimeSpan? timeout = null)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout ?? TestTimeouts.Long);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException("Node driver did not finish. Output:\n" + Output);
        }

        _process.WaitForExit(); // flush redirected output
        if (_process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Node driver failed (exit {_process.ExitCode}). Output:\n{Output}");
        }
    }

    /// <summary>Waits for the driver's next <c>@@ word</c> signal and returns its JSON payload.</summary>
    public async Task<string> WaitForSignalAsync(string word, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TestTimeouts.Long);
        while (true)
        {
            lock (_signals)
            {
                var i = _signals.FindIndex(s => s.StartsWith(word + " ", StringComparison.Ordinal));
                if (i >= 0)
                {
                    var found = _signals[i];
                    _signals.RemoveAt(i);
                    return found[(word.Length + 1)..];
                }
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || _process.HasExited && !await _signalArrived.WaitAsync(100))
            {
                throw new TimeoutException($"Node driver never signalled '{word}'. Output:\n{Output}");
            }

            await _signalArrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
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

        if (line.StartsWith("@@ ", StringComparison.Ordinal))
        {
            lock (_signals)
            {
                _signals.Add(line[3..]);
            }

            _signalArrived.Release();
        }
    }
}

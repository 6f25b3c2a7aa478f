using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.Testing;

/// <summary>
/// A built .NET program (<c>dotnet some.dll args…</c>) run as a child process with its output captured line by line,
/// for tests of the CLI and the samples. Stops with SIGINT (Ctrl+C), SIGTERM or SIGKILL.
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly SemaphoreSlim _lineArrived = new(0);
    private bool _disposed;

    private ChildProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Standard output lines so far.</summary>
    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (_stdout)
            {
                return [.. _stdout];
            }
        }
    }

    /// <summary>Everything printed so far, stderr lines prefixed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_stdout)
            {
                return string.Join('\n', _stdout) + "\n--- stderr ---\n" + string.Join('\n', _stderr);
            }
        }
    }

    static ChildProcess() => Posix.HearInterruptsInChildren(); // tests send children Ctrl+C

    public static ChildProcess Start(string dll, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(child._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(child._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for a stdout (or, with <paramref name="stderr"/>, stderr) line that matches, at or after line <paramref name="from"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null, bool stderr = false, int from = 0)
    {
        var lines = stderr ? _stderr : _stdout;
        var deadline = DateTime.UtcNow + (timeout ?? TestTimeouts.Long);
        while (true)
        {
            lock (_stdout)
            {
                for (var i = from; i < lines.Count; i++)
                {
                    if (match(lines[i]))
                    {
                        return lines[i];
                    }
                }
            }

            if (_process.HasExited)
            {
                _process.WaitForExit(); // flush redirected output, then look once more
                lock (_stdout)
                {
                    if (lines.Skip(from).FirstOrDefault(match) is { } last)
                    {
                        return last;
                    }
                }

                throw new InvalidOperationException($"The process exited ({_process.ExitCode}) before printing the expected line. Output:\n{Output}");
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException("The expected line never came. Output:\n" + Output);
            }

            await _lineArrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>For web apps: waits for ASP.NET Core's "Now listening on:" line and returns that address.</summary>
    public async Task<Uri> WaitForListeningAsync()
    {
        var line = await WaitForLineAsync(l => ListeningLine().IsMatch(l));
        return new Uri(ListeningLine().Match(line).Groups[1].Value);
    }

    /// <summary>Sends a POSIX signal (e.g. <see cref="Posix.SigInt"/> for Ctrl+C).</summary>
    public void Signal(int signal)
    {
        if (!_process.HasExited)
        {
            Posix.Kill(_process.Id, signal);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout ?? TestTimeouts.Long);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException("The process did not exit. Output:\n" + Output);
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGKILL to the process tree: no shutdown code runs, exactly like <c>kill -9</c>.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await KillAsync();
        _process.Dispose();
    }

    private void OnLine(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stdout)
        {
            lines.Add(line);
        }

        _lineArrived.Release();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}

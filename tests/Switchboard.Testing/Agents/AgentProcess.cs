using System.Diagnostics;
using System.Text;

namespace Switchboard.Testing.Agents;

/// <summary>
/// One run of an agent's CLI as a child process: only the environment the test gives it and PATH (nothing else of the
/// test runner's, so no key or OTEL_* setting of the machine leaks in), standard input closed (Codex reads a prompt from
/// an open one), output captured. Disposing kills what is still running.
/// </summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _stdoutLine = new(0);

    static AgentProcess() => Posix.HearInterruptsInChildren(); // tests send agents Ctrl+C

    private AgentProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Both streams, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_stdout)
            {
                return _stdout + "\n--- stderr ---\n" + _stderr;
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="fileName"/> in <paramref name="workingDirectory"/> with exactly <paramref name="environment"/>
    /// and the test runner's PATH (the agents run <c>bash</c>, <c>curl</c> and <c>node</c>).
    /// </summary>
    /// <remarks>
    /// Stdin is closed at once unless <paramref name="keepStdinOpen"/> (an agent that takes its input or its permission
    /// prompts over stdin, <see cref="StandardInput"/>); it closes with the process.
    /// </remarks>
    public static AgentProcess Start(string fileName, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string> environment,
        bool keepStdinOpen = false)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var (k, v) in environment)
        {
            start.Environment[k] = v;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var run = new AgentProcess(process);
        process.OutputDataReceived += (_, e) => run.Append(run._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => run.Append(run._stderr, e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"`{fileName}` could not be started (is Node.js installed? see .ci/run).", ex);
        }

        if (!keepStdinOpen)
        {
            process.StandardInput.Close();
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return run;
    }

    /// <summary>The agent's stdin, when started with it kept open.</summary>
    public StreamWriter StandardInput => _process.StandardInput;

    /// <summary>Sends a POSIX signal (<see cref="Posix.SigInt"/> is Ctrl+C) to the agent's process.</summary>
    public void Signal(int signal)
    {
        if (!_process.HasExited)
        {
            Posix.Kill(_process.Id, signal);
        }
    }

    /// <summary>Waits for the agent to exit (within <see cref="TestTimeouts.Long"/> unless told) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout ?? TestTimeouts.Long);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException("The agent did not exit. Output:\n" + Output);
        }

        _process.WaitForExit(); // flush redirected output
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        }

        _process.Dispose();
    }

    /// <summary>Waits until a line of stdout matches (the agent's own output says how far it got).</summary>
    public async Task WaitForStdoutAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TestTimeouts.Long);
        while (!Stdout.Split('\n').Any(match))
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || HasExited && !Stdout.Split('\n').Any(match))
            {
                throw new TimeoutException("The agent never printed the expected line. Output:\n" + Output);
            }

            await _stdoutLine.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    private void Append(StringBuilder to, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stdout)
        {
            to.AppendLine(line);
        }

        if (ReferenceEquals(to, _stdout))
        {
            _stdoutLine.Release();
        }
    }
}

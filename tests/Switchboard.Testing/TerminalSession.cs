using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.Testing;

/// <summary>
/// A program run in a pseudo-terminal of a fixed size, as a person runs it: what it shows is read into a
/// <see cref="TerminalScreen"/>, keys are written to it, and a test waits until the screen shows a text. The terminal is
/// Python's standard <c>pty</c> module (python3, no packages) relaying between the terminal and this process's pipes.
/// Disposing kills the program and the relay by their process id.
/// </summary>
public sealed partial class TerminalSession : IAsyncDisposable
{
    // The relay: the program in a new pty of ROWS x COLUMNS; its output to stdout, stdin to its keyboard; exits with it.
    private const string Relay = """
        import os, pty, sys, select, struct, fcntl, termios, signal
        rows, cols = int(sys.argv[1]), int(sys.argv[2])
        pid, fd = pty.fork()
        if pid == 0:
            os.execvp(sys.argv[3], sys.argv[3:])
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
        os.kill(pid, signal.SIGWINCH)
        ins = [fd, 0]
        while True:
            r, _, _ = select.select(ins, [], [])
            if fd in r:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    data = b''
                if not data:
                    break
                os.write(1, data)
            if 0 in r:
                data = os.read(0, 65536)
                if data:
                    os.write(fd, data)
                else:
                    ins.remove(0)
        _, status = os.waitpid(pid, 0)
        sys.exit(os.waitstatus_to_exitcode(status))
        """;

    private readonly Process _relay;
    private readonly TerminalScreen _screen;
    private readonly Task _reading;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TerminalSession(Process relay, int rows, int columns)
    {
        _relay = relay;
        _screen = new TerminalScreen(rows, columns);
        _reading = Task.Run(ReadAsync);
    }

    /// <summary>The relay's process id; the program runs as its child.</summary>
    public int Pid => _relay.Id;

    public bool HasExited => _relay.HasExited;

    /// <summary>What the terminal shows now.</summary>
    public string Screen
    {
        get
        {
            lock (_screen)
            {
                return _screen.Text;
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="fileName"/> in a <paramref name="rows"/> x <paramref name="columns"/> terminal in
    /// <paramref name="workingDirectory"/> with exactly <paramref name="environment"/>, the test runner's PATH and
    /// <c>TERM=xterm-256color</c>.
    /// </summary>
    public static TerminalSession Start(string fileName, IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, int rows = 40, int columns = 120)
    {
        var start = new ProcessStartInfo("python3")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] relayArgs = ["-c", Relay, rows.ToString(System.Globalization.CultureInfo.InvariantCulture),
            columns.ToString(System.Globalization.CultureInfo.InvariantCulture), fileName, .. args];
        foreach (var arg in relayArgs)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        start.Environment["TERM"] = "xterm-256color";
        foreach (var (k, v) in environment)
        {
            start.Environment[k] = v;
        }

        Process relay;
        try
        {
            relay = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("python3 could not be started: the terminal tests need it (its standard pty module).", ex);
        }

        relay.ErrorDataReceived += (_, _) => { };
        relay.BeginErrorReadLine();
        return new TerminalSession(relay, rows, columns);
    }

    /// <summary>Types <paramref name="keys"/> (text, or escapes such as <c>"\r"</c> for Enter, <c>"\x1b"</c> for Esc).</summary>
    public async Task WriteAsync(string keys)
    {
        await _relay.StandardInput.WriteAsync(keys);
        await _relay.StandardInput.FlushAsync();
    }

    /// <summary>
    /// Waits until the screen shows <paramref name="text"/> (runs of blanks, line ends included, match any run of blanks),
    /// within <see cref="TestTimeouts.Long"/> unless told; fails with the screen as it was.
    /// </summary>
    public async Task WaitForTextAsync(string text, TimeSpan? timeout = null)
    {
        var wanted = Blanks().Replace(text.Trim(), " ");
        using var cancel = new CancellationTokenSource(timeout ?? TestTimeouts.Long);
        while (true)
        {
            Task changed;
            lock (_screen)
            {
                if (Blanks().Replace(_screen.Text, " ").Contains(wanted, StringComparison.Ordinal))
                {
                    return;
                }

                changed = _changed.Task;
            }

            if (_reading.IsCompleted)
            {
                throw new InvalidOperationException($"The program ended before its terminal showed \"{text}\". The screen:\n{Screen}");
            }

            try
            {
                await changed.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The terminal did not show \"{text}\". The screen:\n{Screen}");
            }
        }
    }

    /// <summary>Whether the screen shows <paramref name="text"/> now (blanks matched as in <see cref="WaitForTextAsync"/>).</summary>
    public bool Shows(string text) => Blanks().Replace(Screen, " ").Contains(Blanks().Replace(text.Trim(), " "), StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        if (!_relay.HasExited)
        {
            _relay.Kill(entireProcessTree: true);
        }

        await _relay.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        await _reading.WaitAsync(TestTimeouts.Default);
        _relay.Dispose();
    }

    private async Task ReadAsync()
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[16 * 1024];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        var output = _relay.StandardOutput.BaseStream;
        int read;
        while ((read = await output.ReadAsync(bytes)) > 0)
        {
            var count = decoder.GetChars(bytes, 0, read, chars, 0);
            lock (_screen)
            {
                _screen.Write(new string(chars, 0, count));
                var changed = _changed;
                _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
                changed.SetResult();
            }
        }

        lock (_screen)
        {
            _changed.TrySetResult();
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Blanks();
}

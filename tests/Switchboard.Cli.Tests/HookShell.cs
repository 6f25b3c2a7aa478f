using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// A command hook as an agent runs it: <c>sh -c COMMAND</c> with the event's JSON on stdin, in an environment of PATH and
/// the given variables only; stdout is the hook's answer.
/// </summary>
internal sealed class HookShell : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private HookShell(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public static HookShell Start(string command, string eventJson, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("sh", ["-c", command])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.StandardInput.Write(eventJson);
        process.StandardInput.Close();
        return new HookShell(process);
    }

    /// <summary>Waits for the hook to end (failing the test past <paramref name="timeout"/>): its exit code, stdout and stderr.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> WaitAsync(TimeSpan? timeout = null)
    {
        try
        {
            await _process.WaitForExitAsync().Within(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the hook was still running after {timeout ?? TestTimeouts.Default}");
        }

        return (_process.ExitCode, await _stdout, await _stderr);
    }

    /// <summary>The command Switchboard's hooks install writes for <paramref name="hookEvent"/> in the file at <paramref name="path"/>.</summary>
    public static string Installed(string path, string hookEvent) =>
        JsonNode.Parse(File.ReadAllText(path))!["hooks"]![hookEvent]![0]!["hooks"]![0]!["command"]!.GetValue<string>();

    /// <summary>Every process's argument list on this machine, as text (the ones that end while read are skipped).</summary>
    public static IReadOnlyList<string> EveryArgumentList()
    {
        var lists = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out _))
            {
                continue;
            }

            try
            {
                lists.Add(Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(directory, "cmdline"))).Replace('\0', ' '));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended meanwhile.
            }
        }

        return lists;
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
}

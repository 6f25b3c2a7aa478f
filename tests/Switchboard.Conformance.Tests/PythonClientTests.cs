using System.Diagnostics;
using Switchboard.Testing;

namespace Switchboard.Conformance.Tests;

/// <summary>
/// Runs the Python client's pytest suite (clients/python/tests) against the real executable: producer calls, problems as
/// exceptions, the session context manager's heartbeats, terminate and error paths, the asyncio flavour, snapshot resets
/// and SSE resume across a kill -9. Debian's python3-pytest (installed by .ci/run) must be there: a missing python3 or
/// pytest fails the test, it never skips.
/// </summary>
public sealed class PythonClientTests
{
    [Fact]
    public async Task ThePytestSuiteOfThePythonClientPasses()
    {
        var python = FindPython();
        var clientDir = Path.Combine(RepoPaths.Root, "clients", "python");
        var start = new ProcessStartInfo(python)
        {
            WorkingDirectory = clientDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "-W", "error::pytest.PytestUnhandledThreadExceptionWarning" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SWITCHBOARD_SERVER_DLL"] = RepoPaths.ServerDll;
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A guard against a hung suite, not a speed bound: about a minute on a quiet machine, over two with the cores busy.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("pytest did not finish within 6 minutes:\n" + await stdout + await stderr);
        }

        var output = await stdout + await stderr;
        process.ExitCode.ShouldBe(0, output);
        output.ShouldContain(" passed");
        output.ShouldNotContain("skipped");
    }

    /// <summary>Debian's interpreter first: python3-pytest installs for it, and a python3 earlier on PATH may lack pytest.</summary>
    private static string FindPython()
    {
        string[] candidates = ["/usr/bin/python3", "python3"];
        foreach (var candidate in candidates)
        {
            try
            {
                using var probe = Process.Start(new ProcessStartInfo(candidate, ["-c", "import sys, pytest; assert sys.version_info >= (3, 11)"])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                })!;
                probe.WaitForExit(30_000);
                if (probe.ExitCode == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under that name.
            }
        }

        throw new InvalidOperationException(
            "No python3 (>= 3.11) with pytest: install Debian's python3 and python3-pytest (`.ci/run` does) to run the Python client's tests.");
    }
}

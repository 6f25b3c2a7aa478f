using System.Diagnostics;
using System.Text;

namespace Switchboard.Testing;

/// <summary>
/// Runs a process to its end and gives up, killing it, only once it has printed nothing for a while: a bound on silence,
/// not on the whole run. Test runners print as each test ends, so a stuck test still fails, while a whole suite on a
/// loaded machine may take as long as its tests need (one stress run took over 3 minutes for the TypeScript client's
/// node suites, every test passing).
/// </summary>
public static class QuietBoundedProcess
{
    /// <summary>The exit code and everything printed (stdout and stderr interleaved).</summary>
    /// <exception cref="TimeoutException">Nothing was printed for <paramref name="quiet"/>; the process was killed.</exception>
    public static async Task<(int ExitCode, string Output)> RunAsync(ProcessStartInfo start, TimeSpan quiet, string missingHint)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"`{start.FileName}` is not installed: {missingHint}", e);
        }

        using (process)
        {
            var output = new StringBuilder();
            var lastOutput = Stopwatch.GetTimestamp();
            void Printed(object sender, DataReceivedEventArgs e)
            {
                if (e.Data is null)
                {
                    return;
                }

                lock (output)
                {
                    output.AppendLine(e.Data);
                }

                Interlocked.Exchange(ref lastOutput, Stopwatch.GetTimestamp());
            }

            process.OutputDataReceived += Printed;
            process.ErrorDataReceived += Printed;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            while (!process.HasExited)
            {
                using var tick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                try
                {
                    await process.WaitForExitAsync(tick.Token);
                }
                catch (OperationCanceledException) when (Stopwatch.GetElapsedTime(Interlocked.Read(ref lastOutput)) > quiet)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                    lock (output)
                    {
                        throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} printed nothing for {quiet}:\n{output}");
                    }
                }
                catch (OperationCanceledException)
                {
                    // Still printing: wait on.
                }
            }

            await process.WaitForExitAsync(); // the output's last lines
            lock (output)
            {
                return (process.ExitCode, output.ToString());
            }
        }
    }
}

using System.Diagnostics;

namespace Switchboard.Testing;

public sealed partial class ChildProcess
{
    /// <summary>
    /// Starts a native executable (not <c>dotnet some.dll</c>), e.g. a self-contained single-file build. In
    /// <paramref name="environment"/>, a null value removes that variable from what the child inherits.
    /// </summary>
    public static ChildProcess StartExecutable(string path, IEnumerable<string> args, IDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (k, v) in environment)
        {
            if (v is null)
            {
                start.Environment.Remove(k);
            }
            else
            {
                start.Environment[k] = v;
            }
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
}

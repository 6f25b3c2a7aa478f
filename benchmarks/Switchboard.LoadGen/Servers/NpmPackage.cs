using System.Diagnostics;

namespace Switchboard.LoadGen.Servers;

/// <summary>A server of the benchmarks installed from npm: its lock file in a folder under <c>benchmarks/</c>.</summary>
internal static class NpmPackage
{
    /// <summary>Runs <c>npm ci</c> in <paramref name="directory"/> the first time, when <paramref name="installed"/> (a path under it) is missing.</summary>
    public static void EnsureInstalled(string directory, string installed, string forRun)
    {
        if (Path.Exists(Path.Combine(directory, installed)))
        {
            return;
        }

        using var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = directory })
            ?? throw new InvalidOperationException($"npm did not start; install Node.js and npm to run {forRun}.");
        npm.WaitForExit();
        if (npm.ExitCode != 0 || !Path.Exists(Path.Combine(directory, installed)))
        {
            throw new InvalidOperationException($"npm ci in {directory} failed with exit code {npm.ExitCode} (or did not install {installed}).");
        }
    }
}

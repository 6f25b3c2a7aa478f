using System.Diagnostics;

namespace Switchboard.LoadGen.Servers;

/// <summary>
/// The server as it was at another commit, for an A/B run: the commit's tree exported with <c>git archive</c> into
/// <c>artifacts/ab/&lt;commit&gt;</c> and built there in Release, once (a later run reuses the build).
/// </summary>
internal static class BaselineBuild
{
    /// <summary>Builds <paramref name="reference"/> if needed; returns the full commit and the path of its <c>switchboard.dll</c>.</summary>
    public static async Task<(string Commit, string Dll)> EnsureAsync(string root, string reference, TextWriter log)
    {
        var commit = (await RunAsync("git", root, "rev-parse", "--verify", reference + "^{commit}")).Trim();
        var tree = Path.Combine(root, "artifacts", "ab", commit);
        var dll = Path.Combine(tree, "src", "Switchboard", "bin", "Release", "net10.0", "switchboard.dll");
        if (File.Exists(dll))
        {
            return (commit, dll);
        }

        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] building {reference} ({commit[..7]}) in {tree}");
        if (Directory.Exists(tree))
        {
            Directory.Delete(tree, recursive: true);
        }

        Directory.CreateDirectory(tree);
        var archive = Path.Combine(tree, "..", commit + ".tar");
        await RunAsync("git", root, "archive", "--format=tar", "-o", archive, commit);
        await RunAsync("tar", tree, "-xf", archive);
        File.Delete(archive);
        await RunAsync("dotnet", tree, "build", "-c", "Release", "src/Switchboard", "-nologo", "-v", "q");
        return File.Exists(dll) ? (commit, dll) : throw new FileNotFoundException($"The build of {commit} wrote no {dll}.");
    }

    private static async Task<string> RunAsync(string program, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}):\n{await output}{await errors}");
    }
}

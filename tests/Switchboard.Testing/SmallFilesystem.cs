using System.Diagnostics;

namespace Switchboard.Testing;

/// <summary>
/// A tiny tmpfs mounted on a fresh directory, to fill up for real: a full disk is no mock. Mounting needs root (the
/// test machines run as root); when it cannot mount, the constructor throws, so the test fails loudly, never skips.
/// Unmounted and removed on dispose.
/// </summary>
public sealed class SmallFilesystem : IDisposable
{
    public SmallFilesystem(int kibibytes = 1024)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"switchboard-fs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={kibibytes}k", "tmpfs", Path);
        if (code != 0)
        {
            Directory.Delete(Path);
            throw new InvalidOperationException($"could not mount a {kibibytes} KiB tmpfs on {Path} (the full-disk tests need root): {output}");
        }
    }

    public string Path { get; }

    /// <summary>Writes a filler file until the filesystem refuses more; returns its path (delete it to free the space).</summary>
    public string Fill()
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        var block = new byte[4096];
        try
        {
            using var stream = new FileStream(filler, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 1);
            while (true)
            {
                stream.Write(block);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // ENOSPC: full
        }

        return filler;
    }

    /// <summary>Whether one more byte fits in a new file (false once <see cref="Fill"/> has run).</summary>
    public bool HasSpace()
    {
        var probe = System.IO.Path.Combine(Path, "probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            File.WriteAllBytes(probe, new byte[4096]);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        finally
        {
            File.Delete(probe);
        }
    }

    public void Dispose()
    {
        var (code, output) = Run("umount", "-l", Path);
        if (code == 0)
        {
            Directory.Delete(Path);
        }
        else
        {
            throw new InvalidOperationException($"could not unmount {Path}: {output}");
        }
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}

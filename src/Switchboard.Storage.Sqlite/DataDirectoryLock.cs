using System.Globalization;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// Exclusive ownership of a data directory. Two servers writing one SQLite log would both assign the next seq from
/// their own in-memory head, so the second owner is refused at start instead. The lock is an operating-system lock on
/// an open file: it dies with the process (a crash or <c>kill -9</c> never leaves it stale) and also refuses a second
/// store in the same process. A separate one-line file names the holder, since a locked file cannot be read by others.
/// <para>
/// Taking the lock writes nothing new: the lock file, once created, is kept and only locked again, and the holder line
/// is rewritten in place, best effort. A node whose disk is full (it crashed on it, say) still takes its directory and
/// starts, serving reads and streams, instead of failing on a file it could not create.
/// </para>
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    /// <summary>The file held open and locked while a store owns the directory.</summary>
    public const string LockFileName = "switchboard.lock";

    /// <summary>The file describing the current holder: pid, machine, start time and, once known, its address.</summary>
    public const string HolderFileName = "switchboard.lock.holder";

    private readonly FileStream _lock;
    private readonly string _since;
    private bool _disposed;

    private DataDirectoryLock(string directory, FileStream held)
    {
        Directory = directory;
        _lock = held;
        _since = TimeProvider.System.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>The absolute path of the directory this lock owns.</summary>
    public string Directory { get; }

    /// <summary>Takes the directory, creating it if needed.</summary>
    /// <exception cref="DataDirectoryInUseException">Another process (or another store in this one) holds it.</exception>
    public static DataDirectoryLock Acquire(string directory)
    {
        var full = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(full);
        FileStream held;
        try
        {
            // FileShare.None is an exclusive flock on Unix and a sharing lock on Windows; both end with the process.
            held = new FileStream(Path.Combine(full, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (ex is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException)
                                     && File.Exists(Path.Combine(full, LockFileName)))
        {
            // The file is there but cannot be taken: someone holds it. (A lock file that could not be created, on a
            // full disk say, is that error as it is, not a holder.)
            throw new DataDirectoryInUseException(full, ReadHolder(full), ex);
        }

        var owned = new DataDirectoryLock(full, held);
        owned.DescribeHolder(address: null);
        return owned;
    }

    /// <summary>
    /// Records where the holder serves, for the message a refused second process prints. Call once the address is
    /// known (after the server has bound its port).
    /// </summary>
    public void RecordAddress(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        DescribeHolder(address);
    }

    /// <summary>Releases the directory. The holder file stays; it only counts while the lock is held.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _lock.Dispose();
    }

    private void DescribeHolder(string? address)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var line = $"pid {Environment.ProcessId} on {Environment.MachineName}"
                   + (address is null ? "" : $", serving {address}")
                   + $", since {_since}";
        var bytes = System.Text.Encoding.UTF8.GetBytes(line + "\n");
        try
        {
            // In place, never a new file beside it: on a full disk a write that needs new space fails, and the holder
            // line is only what a refused second process prints, so that failure must not stop this one.
            using var holder = new FileStream(Path.Combine(Directory, HolderFileName), FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
            holder.Write(bytes);
            holder.SetLength(bytes.Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            HolderUnwritten = ex.Message;
        }
    }

    /// <summary>Why the holder line could not be written (a full disk, say), or null when it was.</summary>
    public string? HolderUnwritten { get; private set; }

    private static string? ReadHolder(string directory)
    {
        try
        {
            // The first line only: rewritten in place, a shorter line may be followed by the rest of a longer old one.
            var text = File.ReadAllText(Path.Combine(directory, HolderFileName)).Split('\n')[0].Trim();
            return text.Length == 0 ? null : text;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // the holder has not written it yet, or it is unreadable: the refusal still stands
        }
    }
}

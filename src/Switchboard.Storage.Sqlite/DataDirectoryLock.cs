using System.Globalization;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// Exclusive ownership of a data directory. Two servers writing one SQLite log would both assign the next seq from
/// their own in-memory head, so the second owner is refused at start instead. The lock is an operating-system lock on
/// an open file: it dies with the process (a crash or <c>kill -9</c> never leaves it stale) and also refuses a second
/// store in the same process. A separate one-line file names the holder, since a locked file cannot be read by others.
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
        catch (IOException ex) when (ex is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
        {
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
        // Written aside and renamed over, so a reader sees the old line or the new one, never half of one.
        var path = Path.Combine(Directory, HolderFileName);
        var temporary = path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(temporary, line + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    private static string? ReadHolder(string directory)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(directory, HolderFileName)).Trim();
            return text.Length == 0 ? null : text;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // the holder has not written it yet, or it is unreadable: the refusal still stands
        }
    }
}

namespace Switchboard.Storage.Sqlite;

/// <summary>The data directory is owned by another Switchboard: a second owner would corrupt the order of the log.</summary>
public sealed class DataDirectoryInUseException : IOException
{
    /// <summary>Creates the exception for <paramref name="directory"/>, naming its <paramref name="holder"/> when known.</summary>
    public DataDirectoryInUseException(string directory, string? holder, Exception? inner = null)
        : base($"The data directory {directory} is in use by {(holder is null ? "another process" : $"another process ({holder})")}. "
               + "Only one Switchboard may own a data directory: stop the other one, or give this one a different data directory.", inner)
    {
        Directory = directory;
        Holder = holder;
    }

    /// <summary>The absolute path of the directory.</summary>
    public string Directory { get; }

    /// <summary>Who holds it, e.g. <c>pid 4242 on build-7, serving http://127.0.0.1:5080, since 2026-01-02 10:00:00Z</c>; null when unknown.</summary>
    public string? Holder { get; }
}

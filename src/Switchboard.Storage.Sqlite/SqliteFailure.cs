using System.Globalization;
using Microsoft.Data.Sqlite;
using Switchboard.Core.Storage;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// Turns a failed SQLite write into the <see cref="StoreUnavailableException"/> a client and <c>/readyz</c> see. A full
/// disk is named as such, with the directory and its free space, because that is what an operator has to act on.
/// </summary>
internal static class SqliteFailure
{
    private const int SqliteIoErr = 10;
    private const int SqliteFull = 13;
    private const int SqliteTooBig = 18;
    private const int SqliteConstraint = 19;
    private const int SqliteMismatch = 20;

    /// <summary>Below this many free bytes an I/O error on write is taken for a full disk (SQLite reports some as IOERR).</summary>
    private const long NearlyFull = 64 * 1024;

    /// <summary>Whether <paramref name="ex"/> says the disk holding <paramref name="directory"/> is full.</summary>
    public static bool IsDiskFull(SqliteException ex, string directory) =>
        ex.SqliteErrorCode == SqliteFull || (ex.SqliteErrorCode == SqliteIoErr && FreeBytes(directory) is < NearlyFull);

    /// <summary>The exception for a write (<paramref name="what"/>, e.g. "commit") that <paramref name="ex"/> refused.</summary>
    public static StoreUnavailableException Unavailable(string what, SqliteException ex, string directory) =>
        new(IsDiskFull(ex, directory) ? DiskFull(what, directory) : $"SQLite could not {what} ({ex.SqliteErrorCode}): {ex.Message}", ex);

    /// <summary>
    /// A refusal of the values a batch would store (a constraint, a string or blob over SQLite's limits, a type SQLite
    /// will not take), which says nothing about the store's health; null for any other failure.
    /// </summary>
    public static StoreRejectedException? Refused(SqliteException ex) =>
        (ex.SqliteErrorCode & 0xff) is SqliteTooBig or SqliteConstraint or SqliteMismatch ? new StoreRejectedException(ex.Message, ex) : null;

    /// <summary>"The disk holding the data directory … is full …": what the node answers while it cannot write there.</summary>
    public static string DiskFull(string what, string directory) =>
        DiskFullPrefix(what, directory) +
        " Writes are refused until there is space there; reads and live streams go on, and writes resume by themselves.";

    /// <summary>The start-up failure of a database that cannot even be opened without space (a new one, or a migration).</summary>
    public static StoreUnavailableException CannotOpen(SqliteException ex, string directory) =>
        new(DiskFullPrefix("create or migrate the database", directory) + " Free space there and start again.", ex);

    private static string DiskFullPrefix(string what, string directory)
    {
        var free = FreeBytes(directory) is { } bytes ? bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes free" : "free space unknown";
        return $"The disk holding the data directory {directory} is full ({free}): SQLite could not {what}.";
    }

    private static long? FreeBytes(string directory)
    {
        try
        {
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}

using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// Keeps the <c>-wal</c> and <c>-shm</c> files when the last connection closes (<c>SQLITE_FCNTL_PERSIST_WAL</c>). By
/// default SQLite deletes both on a clean close and creates them again on open, and creating the shared-memory file
/// needs free space: a node stopped cleanly on a full disk could then not even read its database again. Kept, they are
/// reused as they are. The setting belongs to each connection's file handle, and whichever connection closes last
/// decides, so every connection the store opens sets it.
/// <para>
/// With a <c>journal_size_limit</c> set, a clean close also truncates the kept WAL to zero bytes: no frame outlives the
/// close, so a backup copied over the database file after a clean stop is exactly what opens next.
/// </para>
/// </summary>
internal static class PersistentWal
{
    private const int PersistWalOp = 10; // SQLITE_FCNTL_PERSIST_WAL
    private const int SqliteOk = 0;

    /// <summary>Far above what the WAL reaches between checkpoints: it only makes a clean close truncate the WAL.</summary>
    private const long JournalSizeLimit = 64L * 1024 * 1024;

    public static void Enable(SqliteConnection connection)
    {
        var on = 1;
        var rc = FileControl(connection.Handle!, "main", PersistWalOp, ref on);
        if (rc != SqliteOk)
        {
            throw new InvalidOperationException($"SQLite refused SQLITE_FCNTL_PERSIST_WAL (result code {rc}).");
        }

        using var limit = connection.CreateCommand();
        limit.CommandText = $"PRAGMA journal_size_limit = {JournalSizeLimit};";
        limit.ExecuteNonQuery();
    }

    // The same native library Microsoft.Data.Sqlite runs on (SQLitePCLRaw's e_sqlite3); SQLitePCLRaw has no file_control.
    [DllImport("e_sqlite3", EntryPoint = "sqlite3_file_control", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FileControl(SQLitePCL.sqlite3 db, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, int op, ref int arg);
}

using Microsoft.Data.Sqlite;
using Switchboard.Core.Storage.Sql;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// Opening on a full disk. A node that crashed because its disk filled up must come back while it is still full: it
/// serves reads and live streams, and refuses writes until there is space. Opening an existing database writes only the
/// per-label active counts (rebuilt from the sessions at every start, so a change of the usage labels takes effect) and a
/// stamp in the meta table; when that write finds the disk full, the rebuild waits for the first write transaction,
/// which does it first.
/// A new database, or one that still needs a migration, cannot open without space: that stays a start-up failure.
/// </summary>
internal sealed partial class SqliteSessionStore
{
    private bool _activeCountsStale; // under _writeLock: the rebuild of usage_active is still owed
    private string? _writeFailureAtStart;

    /// <inheritdoc />
    public override string? WriteFailureAtStart => _writeFailureAtStart;

    private string DataDirectory => Path.GetDirectoryName(Path.GetFullPath(_options.DatabasePath))!;

    /// <summary>Rebuilds the active counts now, or, on a full disk, owes the rebuild to the first write.</summary>
    private async Task RebuildActiveCountsOrDeferAsync(SqliteConnection connection)
    {
        try
        {
            await RebuildActiveCountsAsync(connection);
        }
        catch (SqliteException ex) when (SqliteFailure.IsDiskFull(ex, DataDirectory))
        {
            _activeCountsStale = true;
            _writeFailureAtStart = SqliteFailure.DiskFull("write at start-up", DataDirectory);
        }
    }

    /// <summary>Under the write lock, before any write transaction: pays the rebuild owed since start-up.</summary>
    private async Task EnsureActiveCountsAsync()
    {
        if (!_activeCountsStale)
        {
            return;
        }

        await RebuildActiveCountsAsync(_writer!);
        _activeCountsStale = false;
        _writeFailureAtStart = null;
    }

    /// <summary>
    /// The active counts recounted (<see cref="SqlStore.RebuildActiveCountsAsync(SqlConnectionScope)"/>) in one IMMEDIATE
    /// transaction that also stamps the meta table: with no label configured, or none on an active session, the recount
    /// writes nothing, and the open must write a page for a full disk to be found here rather than by the first write.
    /// </summary>
    private async Task RebuildActiveCountsAsync(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        var db = new SqlConnectionScope(connection, transaction, Sql);
        await RebuildActiveCountsAsync(db);
        await StampWriteCheckAsync(db);
        transaction.Commit();
    }

    /// <summary>Stamps the meta table with the time of this check: a page written, so a full disk fails here.</summary>
    private Task StampWriteCheckAsync(SqlConnectionScope db) => db.ExecuteAsync(
        "INSERT INTO meta(key, value) VALUES ('write_checked_at', @at) ON CONFLICT(key) DO UPDATE SET value = excluded.value;",
        ("@at", Now().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
}

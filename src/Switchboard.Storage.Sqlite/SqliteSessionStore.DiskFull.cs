using Microsoft.Data.Sqlite;
using Switchboard.Storage.Sql;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// Opening on a full disk. A node that crashed because its disk filled up must come back while it is still full: it
/// serves reads and live streams, and refuses writes until there is space. Opening an existing database writes only the
/// per-label active counts (rebuilt from the sessions at every start, so a change of the usage labels takes effect);
/// when that write finds the disk full, the rebuild waits for the first write transaction, which does it first.
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

    /// <summary>The active counts recounted (<see cref="SqlStore.RebuildActiveCountsAsync(SqlSession)"/>) in one IMMEDIATE transaction.</summary>
    private async Task RebuildActiveCountsAsync(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        await RebuildActiveCountsAsync(new SqlSession(connection, transaction, Sql));
        transaction.Commit();
    }
}

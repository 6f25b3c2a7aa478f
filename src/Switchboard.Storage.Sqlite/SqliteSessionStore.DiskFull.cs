using Microsoft.Data.Sqlite;

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
    private void RebuildActiveCountsOrDefer(SqliteConnection connection)
    {
        try
        {
            RebuildActiveCounts(connection);
        }
        catch (SqliteException ex) when (SqliteFailure.IsDiskFull(ex, DataDirectory))
        {
            _activeCountsStale = true;
            _writeFailureAtStart = SqliteFailure.DiskFull("write at start-up", DataDirectory);
        }
    }

    /// <summary>Under the write lock, before any write transaction: pays the rebuild owed since start-up.</summary>
    private void EnsureActiveCounts()
    {
        if (!_activeCountsStale)
        {
            return;
        }

        RebuildActiveCounts(_writer!);
        _activeCountsStale = false;
        _writeFailureAtStart = null;
    }

    /// <summary>
    /// Recounts the active sessions per configured label value from the sessions table, so the counts are right whatever
    /// the group-by list was when the database was last written.
    /// </summary>
    private void RebuildActiveCounts(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var clear = connection.CreateCommand())
        {
            clear.Transaction = transaction;
            clear.CommandText = "DELETE FROM usage_active;";
            clear.ExecuteNonQuery();
        }

        foreach (var key in _options.Usage.GroupBy)
        {
            using var fill = connection.CreateCommand();
            fill.Transaction = transaction;
            fill.CommandText = "INSERT INTO usage_active(group_key, group_value, active) " +
                "SELECT $k, json_extract(labels, '$.' || json_quote($k)), COUNT(*) FROM sessions " +
                "WHERE state <> 'terminated' AND json_extract(labels, '$.' || json_quote($k)) IS NOT NULL GROUP BY 2;";
            fill.Parameters.AddWithValue("$k", key);
            fill.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}

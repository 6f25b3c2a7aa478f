using Microsoft.Data.Sqlite;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The store's read connections. A connection is opened when no idle one is left and, once returned, kept open for the
/// next read; at most <see cref="MaxIdle"/> are kept, and a connection returned beyond that is closed.
/// <para>
/// Microsoft.Data.Sqlite's own pool closes idle connections every few minutes and opens new ones at the next burst.
/// Each open connection builds its own schema copy and page cache (up to 2 MiB) in native memory, so that cycle churns
/// the native heap for as long as the node runs. Kept open, the readers cost a fixed amount, paid once.
/// </para>
/// </summary>
internal sealed class ReaderPool : IDisposable
{
    /// <summary>Idle connections kept open: more than the reads a 2-core node runs at once.</summary>
    public const int MaxIdle = 8;

    private readonly string _connectionString;
    private readonly Lock _gate = new();
    private readonly Stack<SqliteConnection> _idle = new();
    private bool _disposed;

    /// <param name="connectionString">Must have pooling off: this pool owns the connections' lifetime.</param>
    public ReaderPool(string connectionString)
    {
        _connectionString = connectionString;
    }

    /// <summary>Idle connections held now.</summary>
    public int IdleCount
    {
        get
        {
            lock (_gate)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>An open connection for one read; disposing the lease gives it back.</summary>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public Lease Rent()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out var idle))
            {
                return new Lease(this, idle);
            }
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            PersistentWal.Enable(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return new Lease(this, connection);
    }

    /// <summary>Closes the idle connections; one still rented is closed when it comes back.</summary>
    public void Dispose()
    {
        SqliteConnection[] idle;
        lock (_gate)
        {
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }

        foreach (var connection in idle)
        {
            connection.Dispose();
        }
    }

    private void Return(SqliteConnection connection)
    {
        lock (_gate)
        {
            // A connection that failed so badly it closed itself is not worth keeping.
            if (!_disposed && _idle.Count < MaxIdle && connection.State == System.Data.ConnectionState.Open)
            {
                _idle.Push(connection);
                return;
            }
        }

        connection.Dispose();
    }

    /// <summary>One rented connection.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly ReaderPool _pool;

        internal Lease(ReaderPool pool, SqliteConnection connection)
        {
            _pool = pool;
            Connection = connection;
        }

        /// <summary>The open connection, to use until the lease is disposed.</summary>
        public SqliteConnection Connection { get; }

        /// <summary>Gives the connection back to the pool.</summary>
        public void Dispose() => _pool.Return(Connection);
    }
}

using Microsoft.Data.Sqlite;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The store's read connections: <see cref="Size"/> of them, opened once (<see cref="Open"/>) and kept open, each read
/// taking the one idle longest. A read that finds none idle opens one more, closed when it comes back.
/// <para>
/// Microsoft.Data.Sqlite's own pool closes idle connections every few minutes and opens new ones at the next burst.
/// Each connection holds two files (the database and its WAL) and builds its own schema copy and page cache (up to
/// 2 MiB) in native memory, so that cycle moves the node's open files and native heap for as long as it runs. A fixed
/// set, used in turn, costs a fixed number of files from the start and a page cache that fills evenly and then stays.
/// </para>
/// </summary>
internal sealed class ReaderPool : IDisposable
{
    /// <summary>Connections kept open: more than the reads a 2-core node runs at once.</summary>
    public const int Size = 4;

    private readonly string _connectionString;
    private readonly Lock _gate = new();
    private readonly Queue<SqliteConnection> _idle = new();
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

    /// <summary>Opens the kept connections; call once the database exists.</summary>
    public void Open()
    {
        for (var i = 0; i < Size; i++)
        {
            var connection = Connect();
            lock (_gate)
            {
                _idle.Enqueue(connection);
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
            if (_idle.TryDequeue(out var idle))
            {
                return new Lease(this, idle);
            }
        }

        return new Lease(this, Connect());
    }

    /// <summary>Closes the idle connections and every one rented when it comes back; renting throws from then on.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        CloseIdle();
    }

    /// <summary>Closes the idle connections (a store that failed to open gives back what it opened).</summary>
    public void CloseIdle()
    {
        SqliteConnection[] idle;
        lock (_gate)
        {
            idle = [.. _idle];
            _idle.Clear();
        }

        foreach (var connection in idle)
        {
            connection.Dispose();
        }
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            PersistentWal.Enable(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void Return(SqliteConnection connection)
    {
        lock (_gate)
        {
            // A connection that failed so badly it closed itself is not worth keeping.
            if (!_disposed && _idle.Count < Size && connection.State == System.Data.ConnectionState.Open)
            {
                _idle.Enqueue(connection);
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

using System.Data;
using Microsoft.Data.Sqlite;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests;

/// <summary>The SQLite store's read connections: a fixed set, open from the start, used in turn; a burst's extras are closed.</summary>
public sealed class ReaderPoolTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void TheOpenedConnectionsServeReadsInTurnAndStayOpen()
    {
        using var pool = NewPool();
        pool.Open();
        pool.IdleCount.ShouldBe(ReaderPool.Size);

        var seen = new List<SqliteConnection>();
        for (var i = 0; i < ReaderPool.Size * 2; i++)
        {
            using var lease = pool.Rent();
            Count(lease.Connection).ShouldBe(1L);
            seen.Add(lease.Connection);
        }

        seen.Distinct().Count().ShouldBe(ReaderPool.Size, "no read opened a connection of its own");
        seen.Skip(ReaderPool.Size).ShouldBe(seen.Take(ReaderPool.Size), "each read takes the connection idle longest");
        seen.ShouldAllBe(c => c.State == ConnectionState.Open);
        pool.IdleCount.ShouldBe(ReaderPool.Size);
    }

    [Fact]
    public void ABurstOpensWhatItNeedsAndKeepsOnlyThePoolsSize()
    {
        using var pool = NewPool();
        pool.Open();
        var leases = Enumerable.Range(0, ReaderPool.Size + 3).Select(_ => pool.Rent()).ToList();
        leases.Select(l => l.Connection).Distinct().Count().ShouldBe(ReaderPool.Size + 3, "each read at once has its own connection");

        foreach (var lease in leases)
        {
            lease.Dispose();
        }

        pool.IdleCount.ShouldBe(ReaderPool.Size);
        leases.Count(l => l.Connection.State == ConnectionState.Open).ShouldBe(ReaderPool.Size, "the ones beyond the size are closed");
    }

    [Fact]
    public void DisposingClosesTheIdleAtOnceAndTheRentedWhenTheyComeBack()
    {
        var pool = NewPool();
        pool.Open();
        var rented = pool.Rent();
        var idle = pool.Rent();
        var idleConnection = idle.Connection;
        idle.Dispose();
        pool.IdleCount.ShouldBe(ReaderPool.Size - 1);

        pool.Dispose();

        idleConnection.State.ShouldBe(ConnectionState.Closed);
        rented.Connection.State.ShouldBe(ConnectionState.Open, "a read in progress finishes on its connection");
        rented.Dispose();
        rented.Connection.State.ShouldBe(ConnectionState.Closed);
        Should.Throw<ObjectDisposedException>(() => pool.Rent());
    }

    private ReaderPool NewPool()
    {
        var path = Path.Combine(_dir.Path, "reader-pool.db");
        var connectionString = $"Data Source={path};Pooling=False";
        using (var setup = new SqliteConnection(connectionString))
        {
            setup.Open();
            using var command = setup.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS t(x); DELETE FROM t; INSERT INTO t VALUES (1);";
            command.ExecuteNonQuery();
        }

        return new ReaderPool(connectionString);
    }

    private static long Count(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM t;";
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose() => _dir.Dispose();
}

using System.Data;
using Microsoft.Data.Sqlite;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests;

/// <summary>The SQLite store's read connections stay open between reads, and no more of them than it keeps.</summary>
public sealed class ReaderPoolTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void AReturnedConnectionServesTheNextReadStillOpen()
    {
        using var pool = NewPool();
        SqliteConnection first;
        using (var lease = pool.Rent())
        {
            first = lease.Connection;
            Count(first).ShouldBe(1L);
        }

        using (var again = pool.Rent())
        {
            again.Connection.ShouldBeSameAs(first);
            again.Connection.State.ShouldBe(ConnectionState.Open);
            Count(again.Connection).ShouldBe(1L);
        }

        pool.IdleCount.ShouldBe(1);
    }

    [Fact]
    public void ABurstOpensWhatItNeedsAndKeepsOnlyTheIdleLimit()
    {
        using var pool = NewPool();
        var leases = Enumerable.Range(0, ReaderPool.MaxIdle + 3).Select(_ => pool.Rent()).ToList();
        leases.Select(l => l.Connection).Distinct().Count().ShouldBe(ReaderPool.MaxIdle + 3, "each read at once has its own connection");

        foreach (var lease in leases)
        {
            lease.Dispose();
        }

        pool.IdleCount.ShouldBe(ReaderPool.MaxIdle);
        leases.Count(l => l.Connection.State == ConnectionState.Open).ShouldBe(ReaderPool.MaxIdle, "the ones beyond the limit are closed");
    }

    [Fact]
    public void DisposingClosesTheIdleAtOnceAndTheRentedWhenTheyComeBack()
    {
        var pool = NewPool();
        var rented = pool.Rent();
        var idle = pool.Rent();
        var idleConnection = idle.Connection;
        idle.Dispose();
        pool.IdleCount.ShouldBe(1);

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

using Microsoft.Data.Sqlite;
using Switchboard.Core.Storage.Sql;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Storage.Tests;

/// <summary>The writer's kept commands: one command per text across transactions, given each run's values, and bounded.</summary>
public sealed class PreparedCommandsTests
{
    private const string Insert = "INSERT INTO t(a, b) VALUES (@a, @b);";

    [Fact]
    public async Task AKeptCommandRunsInEachTransactionWithThatRunsValues()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        await new SqlConnectionScope(connection, null, SqliteDialect.Instance).ExecuteAsync("CREATE TABLE t(a INTEGER, b TEXT);");
        using var kept = new PreparedStatements(connection);
        for (var i = 0; i < 3; i++)
        {
            await using var transaction = connection.BeginTransaction();
            var db = new SqlConnectionScope(connection, transaction, SqliteDialect.Instance, kept);
            await db.ExecuteAsync(Insert, ("@a", i), ("@b", i == 1 ? null : $"v{i}"));
            await transaction.CommitAsync();
        }

        var rows = await new SqlConnectionScope(connection, null, SqliteDialect.Instance, kept)
            .QueryAsync("SELECT a, b FROM t ORDER BY a;", r => $"{r.GetInt64(0)}:{(r.IsDBNull(1) ? "null" : r.GetString(1))}");
        rows.ShouldBe(["0:v0", "1:null", "2:v2"], "each run bound its own values, a null among them");

        var first = kept.Take(Insert, null, [("@a", 5), ("@b", "x")]).ShouldNotBeNull();
        kept.Take(Insert, null, [("@a", 6), ("@b", "y")]).ShouldBeSameAs(first, "one command per text");
        kept.Take(Insert, null, [("@x", 6), ("@b", "y")]).ShouldBeNull("the same text with other parameter names is not kept");
    }

    [Fact]
    public async Task PastItsCapacityATextRunsOnACommandOfItsOwn()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var kept = new PreparedStatements(connection);
        var keptCount = Enumerable.Range(0, 100).Count(i => kept.Take($"SELECT {i};", null, []) is not null);
        keptCount.ShouldBe(64);

        var db = new SqlConnectionScope(connection, null, SqliteDialect.Instance, kept);
        (await db.FirstAsync("SELECT 99 + 1;", r => r.GetInt64(0))).ShouldBe(100, "a text past the bound still runs");
    }
}

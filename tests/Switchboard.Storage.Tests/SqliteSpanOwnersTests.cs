using Microsoft.Data.Sqlite;
using Switchboard.Core.Storage;
using Switchboard.Core.Storage.Sql;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests;

/// <summary>
/// SQLite's span owners: an append-only table whose lookup by span the writer keeps in memory (<see cref="SqliteSpanOwners"/>),
/// so it must come back from the table after a restart and from a database that still keyed the table by span.
/// </summary>
public sealed class SqliteSpanOwnersTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    private string DatabasePath => Path.Combine(_dir.Path, "switchboard.db");

    [Fact]
    public async Task OwnersRecordedBeforeARestartAreFoundAfterItAndKeepTheirFirstOwner()
    {
        await using (var store = await OpenAsync())
        {
            await WriteOwnersAsync(store, ("span-a", "s1"), ("span-b", "s2"));
        }

        await using (var store = await OpenAsync())
        {
            await WriteOwnersAsync(store, ("span-a", "s9"), ("span-c", "s3"));
            (await ReadOwnersAsync(store, "span-a", "span-b", "span-c", "span-x")).ShouldBe(
                new Dictionary<string, string> { ["span-a"] = "s1", ["span-b"] = "s2", ["span-c"] = "s3" }, ignoreOrder: true);
        }

        await using (var store = await OpenAsync())
        {
            (await ReadOwnersAsync(store, "span-a", "span-c")).ShouldBe(
                new Dictionary<string, string> { ["span-a"] = "s1", ["span-c"] = "s3" }, ignoreOrder: true);
        }
    }

    [Fact]
    public async Task ADatabaseWhoseOwnersWereKeyedBySpanOpensWithThemInTheAppendOnlyTable()
    {
        await (await OpenAsync()).DisposeAsync();
        await using (var old = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await old.OpenAsync();
            await using var command = old.CreateCommand();
            // The table as it was before the writer kept the lookup: keyed by span (in a release that recorded no migrations).
            command.CommandText = """
                DROP TABLE schema_migrations;
                DROP TABLE telemetry_span_owners;
                CREATE TABLE telemetry_span_owners (span TEXT PRIMARY KEY, session_id TEXT NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;
                CREATE INDEX telemetry_span_owners_by_at ON telemetry_span_owners(at);
                INSERT INTO telemetry_span_owners(span, session_id, at) VALUES ('span-b', 's2', $b), ('span-a', 's1', $a);
                """;
            command.Parameters.AddWithValue("$a", At.ToUnixTimeMilliseconds() + 1);
            command.Parameters.AddWithValue("$b", At.ToUnixTimeMilliseconds() + 2);
            await command.ExecuteNonQueryAsync();
        }

        await using (var store = await OpenAsync())
        {
            (await ReadOwnersAsync(store, "span-a", "span-b")).ShouldBe(
                new Dictionary<string, string> { ["span-a"] = "s1", ["span-b"] = "s2" }, ignoreOrder: true);
            await WriteOwnersAsync(store, ("span-c", "s3"));
        }

        await using var check = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await check.OpenAsync();
        await using var schema = check.CreateCommand();
        schema.CommandText = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name LIKE 'telemetry_span_owners%';";
        ((string)(await schema.ExecuteScalarAsync())!).ShouldNotContain("WITHOUT ROWID");
        schema.CommandText = "SELECT group_concat(span, ',') FROM (SELECT span FROM telemetry_span_owners ORDER BY rowid);";
        (await schema.ExecuteScalarAsync()).ShouldBe("span-a,span-b,span-c", "moved oldest first, then appended");
    }

    [Fact]
    public void PastItsCapacityTheOldestOwnerIsForgottenAndTheFirstOwnerOfASpanStays()
    {
        var owners = new SqliteSpanOwners(capacity: 2);
        var first = new SqliteSpanOwners.Changes();
        first.Owners["span-a"] = "s1";
        first.Owners["span-b"] = "s2";
        owners.Commit(first);

        var again = new SqliteSpanOwners.Changes();
        again.Owners["span-a"] = "s9"; // recorded again: no new entry, the owner stays
        owners.Commit(again);
        owners.TryGet("span-a", null, DateTimeOffset.UnixEpoch, out var a).ShouldBeTrue();
        a.ShouldBe("s1");

        var third = new SqliteSpanOwners.Changes();
        third.Owners["span-c"] = "s3";
        owners.Commit(third);
        owners.TryGet("span-a", null, DateTimeOffset.UnixEpoch, out _).ShouldBeFalse("the oldest of three, past a capacity of two");
        owners.TryGet("span-b", null, DateTimeOffset.UnixEpoch, out _).ShouldBeTrue();
        owners.TryGet("span-c", third, DateTimeOffset.UnixEpoch, out var c).ShouldBeTrue();
        c.ShouldBe("s3");
    }

    private async Task<SqliteSessionStore> OpenAsync()
    {
        // The store's clock at the owners' time: they are within the span-link window.
        var store = new SqliteSessionStore(new SqliteStoreOptions(DatabasePath), new ManualTimeProvider(At));
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    private static Task<int> WriteOwnersAsync(SqlStore store, params (string Span, string Session)[] owners) =>
        store.TransactAsync(async tx =>
        {
            await tx.WriteSpanOwnersAsync(owners, At);
            await tx.CommitAsync();
            return 0;
        });

    private static Task<IReadOnlyDictionary<string, string>> ReadOwnersAsync(SqlStore store, params string[] spans) =>
        store.TransactAsync(async tx => await tx.ReadSpanOwnersAsync(spans, At - TelemetryDedupe.Window));

    public void Dispose() => _dir.Dispose();
}

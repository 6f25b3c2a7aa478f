using Microsoft.Data.Sqlite;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests;

/// <summary>A database written before sessions had trees opens with every session a root whose subtree is itself.</summary>
public sealed class SqliteTreeMigrationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task SessionsStoredBeforeTreesBecomeRootsWithTheirOwnTotalsAndTakeChildren()
    {
        var path = Path.Combine(_dir.Path, "switchboard.db");
        await using (var old = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await old.OpenAsync();
            await using var command = old.CreateCommand();
            // The schema as it was before trees: the base script (the tree's columns are all added ones).
            command.CommandText = Migrations.LegacySqliteSchema.Base +
                "INSERT INTO sessions(id, created_seq, state, name, labels, metadata, error_message, input_tokens, output_tokens, cost_usd, " +
                "tasks_running, lease_seconds, lease_expires_at, created_at, updated_at, terminated_at, version) " +
                "VALUES ('old', 1, 'working', NULL, '{}', '{}', NULL, 3, 4, '0.5', 0, NULL, NULL, 0, 0, NULL, 2)," +
                "       ('gone', 2, 'terminated', NULL, '{}', '{}', NULL, 0, 0, '0', 0, NULL, NULL, 0, 0, 0, 2);" +
                "INSERT INTO events(at, type, session_id, data) VALUES (0, 'session_created', 'old', x'7b7d'), (0, 'session_created', 'gone', x'7b7d');";
            await command.ExecuteNonQueryAsync();
        }

        var store = new SqliteSessionStore(new SqliteStoreOptions(path), TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        await using (store)
        {
            var old = (await store.GetSessionAsync("old", CancellationToken.None))!;
            (old.ParentId, old.RootId, old.Depth, old.TreePath).ShouldBe(((string?)null, "old", 0, "old"));
            old.Subtree.ShouldBe(new SubtreeTotals(1, 1, 3, 4, 0.5m));
            (await store.GetSessionAsync("gone", CancellationToken.None))!.Subtree.ShouldBe(new SubtreeTotals(1, 0, 0, 0, 0));

            (await store.WriteAsync([new CreateSession { Id = "new", ParentId = "old", CostUsd = 1 }], CancellationToken.None))[0].Succeeded.ShouldBeTrue();
            (await store.GetSessionAsync("old", CancellationToken.None))!.Subtree.ShouldBe(new SubtreeTotals(2, 2, 3, 4, 1.5m));
        }
    }

    public void Dispose() => _dir.Dispose();
}

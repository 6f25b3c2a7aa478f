using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage.Sql;
using Switchboard.Core.Storage.Sql.Migrations;
using Switchboard.Core.Writes;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests.Migrations;

/// <summary>The SQLite store's schema migrations: recorded, run once, old databases brought up, newer ones refused.</summary>
public sealed class SqliteMigrationTests : IDisposable
{
    /// <summary>The first version past this code's list: a newer Switchboard's, or the next migration's.</summary>
    private static readonly int Newer = SqliteMigrations.All.Length + 1;

    private readonly TempDirectory _dir = new();

    private string PathOf(string name) => Path.Combine(_dir.Path, name, "switchboard.db");

    [Fact]
    public async Task ANewDatabaseGetsEveryMigrationOnceAndOpeningItAgainAppliesNothing()
    {
        var path = PathOf("new");
        await OpenAndCloseAsync(path);
        var applied = await SchemaSnapshot.SqliteAppliedAsync(path);
        applied.ShouldBe(SqliteMigrations.All.Select(m => $"{m.Version} {m.Name}"));
        var schema = await SchemaSnapshot.SqliteAsync(path);

        await OpenAndCloseAsync(path);
        (await SchemaSnapshot.SqliteAppliedAsync(path)).ShouldBe(applied);
        (await SchemaSnapshot.SqliteAsync(path)).ShouldBe(schema);
        await using var connection = await SchemaSnapshot.OpenSqliteAsync(path);
        (await new SchemaMigrator(SqliteDialect.Instance, SqliteMigrations.All).MigrateAsync(connection, DateTimeOffset.UnixEpoch, CancellationToken.None))
            .ShouldBeEmpty();
    }

    [Fact]
    public async Task ADatabaseOfTheCodeBeforeMigrationsKeepsItsRowsAndEndsWithTheNewSchema()
    {
        var path = PathOf("old");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var old = await SchemaSnapshot.OpenSqliteAsync(path))
        {
            await SchemaSnapshot.ExecuteAsync(old, LegacySqliteSchema.Full +
                "INSERT INTO sessions(id, created_seq, state, name, labels, metadata, input_tokens, output_tokens, cost_usd, tasks_running, " +
                "created_at, updated_at, version, root_id, tree_path, depth, subtree_active, subtree_input_tokens, subtree_cost_usd, accepts_commands) " +
                "VALUES ('kept', 1, 'working', 'old one', '{\"team\":\"a\"}', '{}', 7, 0, '0.25', 2, 0, 0, 1, 'kept', 'kept', 0, 1, 7, '0.25', 1);" +
                "INSERT INTO events(at, type, session_id, data) VALUES (0, 'session_created', 'kept', x'7b7d');" +
                "INSERT INTO alert_rules(id, data) VALUES ('r', '{}');" +
                "INSERT INTO meta(key, value) VALUES ('epoch', 'feedfacefeedface');");
        }

        var rows = await SchemaSnapshot.SqliteRowsAsync(path);
        var store = await OpenAsync(path);
        await using (store)
        {
            // Each start stamps meta's write_checked_at (a page written, to find a full disk); every other table is as it was, a new one empty.
            SchemaSnapshot.KeptRows([.. rows.Where(r => !r.StartsWith("meta:", StringComparison.Ordinal))],
                [.. (await SchemaSnapshot.SqliteRowsAsync(path)).Where(r => !r.StartsWith("meta:", StringComparison.Ordinal))]).ShouldBeNull();
            store.Epoch.ShouldBe("feedfacefeedface");
            var kept = (await store.GetSessionAsync("kept", CancellationToken.None))!;
            (kept.Name, kept.State, kept.Labels["team"], kept.InputTokens, kept.CostUsd, kept.TasksRunning).ShouldBe(("old one", SessionState.Working, "a", 7L, 0.25m, 2));
            (await store.WriteAsync([new CreateSession { Id = "child", ParentId = "kept" }], CancellationToken.None))[0].Succeeded.ShouldBeTrue();
        }

        (await SchemaSnapshot.SqliteAppliedAsync(path)).ShouldBe(SqliteMigrations.All.Select(m => $"{m.Version} {m.Name}"));
        var fresh = PathOf("fresh");
        await OpenAndCloseAsync(fresh);
        (await SchemaSnapshot.SqliteAsync(path)).ShouldBe(await SchemaSnapshot.SqliteAsync(fresh));
    }

    [Fact]
    public async Task ADatabaseOfANewerSwitchboardIsRefusedAndLeftAsItWas()
    {
        var path = PathOf("newer");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var newer = await SchemaSnapshot.OpenSqliteAsync(path))
        {
            await SchemaSnapshot.ExecuteAsync(newer,
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);" +
                $"INSERT INTO schema_migrations VALUES (1, 'baseline', 0), ({Newer}, 'from the future', 0);" +
                "CREATE TABLE future (id INTEGER PRIMARY KEY);");
        }

        var before = await SchemaSnapshot.SqliteAsync(path);
        var store = new SqliteSessionStore(new SqliteStoreOptions(path), TimeProvider.System);
        var refused = await Should.ThrowAsync<SwitchboardStartupException>(() => store.InitializeAsync(CancellationToken.None));
        await store.DisposeAsync();

        refused.Message.ShouldBe(
            $"The database's schema is version {Newer}, written by a newer Switchboard; this one knows versions up to {SqliteMigrations.All.Length}. " +
            "Run the newer Switchboard, or restore a backup taken before it ran.");
        (await SchemaSnapshot.SqliteAsync(path)).ShouldBe(before);
        (await SchemaSnapshot.SqliteAppliedAsync(path)).ShouldBe(["1 baseline", $"{Newer} from the future"]);
    }

    [Fact]
    public async Task ALaterMigrationRunsOnceInItsTransactionAndAFailedOneLeavesNoTrace()
    {
        var path = PathOf("later");
        await OpenAndCloseAsync(path);
        var column = new Migration(Newer, "sessions.branch",
            [new AddColumn("sessions", new Column("branch", SqlType.Text, Nullable: true)), new CreateIndex("sessions_by_branch", "sessions", "branch")]);
        var failing = new Migration(Newer + 1, "fails",
            [new CreateTable("half", [new Column("id", SqlType.Int64)], ["id"]), new RawSql("INSERT INTO no_such_table VALUES (1);")]);

        await using var connection = await SchemaSnapshot.OpenSqliteAsync(path);
        var migrator = new SchemaMigrator(SqliteDialect.Instance, [.. SqliteMigrations.All, column, failing]);
        await Should.ThrowAsync<Microsoft.Data.Sqlite.SqliteException>(() => migrator.MigrateAsync(connection, DateTimeOffset.UnixEpoch, CancellationToken.None));

        (await SchemaSnapshot.SqliteAppliedAsync(path)).ShouldBe([.. SqliteMigrations.All.Select(m => $"{m.Version} {m.Name}"), $"{Newer} sessions.branch"]);
        var schema = await SchemaSnapshot.SqliteAsync(path);
        schema.ShouldContain("sessions.branch TEXT notnull=0 default=- pk=0");
        schema.ShouldContain("indexsessions_by_branch:CREATEINDEXsessions_by_branchONsessions(branch)");
        schema.ShouldNotContain(l => l.Contains("half", StringComparison.Ordinal));

        (await new SchemaMigrator(SqliteDialect.Instance, [.. SqliteMigrations.All, column]).MigrateAsync(connection, DateTimeOffset.UnixEpoch, CancellationToken.None))
            .ShouldBeEmpty();
    }

    [Fact]
    public async Task WebhooksAndAlertRulesStoredBeforeConfigVersionsStartAtVersionOne()
    {
        var path = PathOf("unversioned");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var old = await SchemaSnapshot.OpenSqliteAsync(path))
        {
            await new SchemaMigrator(SqliteDialect.Instance, ConfigVersionRows.Before(SqliteMigrations.All)).MigrateAsync(old, DateTimeOffset.UnixEpoch, CancellationToken.None);
            await SchemaSnapshot.ExecuteAsync(old, ConfigVersionRows.Insert(SqliteDialect.Instance));
        }

        await using var store = await OpenAsync(path);
        await ConfigVersionRows.CheckAsync(store);
    }

    private static async Task<SqliteSessionStore> OpenAsync(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var store = new SqliteSessionStore(new SqliteStoreOptions(path), TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    private static async Task OpenAndCloseAsync(string path) => await (await OpenAsync(path)).DisposeAsync();

    public void Dispose() => _dir.Dispose();
}

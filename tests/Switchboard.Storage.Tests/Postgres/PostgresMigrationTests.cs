using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage.Sql.Migrations;
using Switchboard.Core.Writes;
using Switchboard.Storage.Postgres;
using Switchboard.Storage.Tests.Migrations;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests.Postgres;

/// <summary>The PostgreSQL store's schema migrations: recorded, run once by one node, old databases brought up, newer ones refused.</summary>
public sealed class PostgresMigrationTests(PostgresClusterFixture postgres) : PostgresStoreTestBase(postgres)
{
    private static readonly string[] AllApplied = [.. PostgresMigrations.All.Select(m => $"{m.Version} {m.Name}")];

    [Fact]
    public async Task NodesStartingTogetherOnANewDatabaseMigrateItOnceAndAnotherStartAppliesNothing()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => OpenNodeAsync()));
        (await SchemaSnapshot.PostgresAppliedAsync(ConnectionString)).ShouldBe(AllApplied);
        var schema = await SchemaSnapshot.PostgresAsync(ConnectionString);

        await OpenNodeAsync();
        (await SchemaSnapshot.PostgresAppliedAsync(ConnectionString)).ShouldBe(AllApplied);
        (await SchemaSnapshot.PostgresAsync(ConnectionString)).ShouldBe(schema);
        await using var connection = await ConnectAsync();
        (await new SchemaMigrator(PostgresDialect.Instance, PostgresMigrations.All).MigrateAsync(connection, DateTimeOffset.UnixEpoch, CancellationToken.None))
            .ShouldBeEmpty();
    }

    [Fact]
    public async Task ADatabaseOfTheCodeBeforeMigrationsKeepsItsRowsAndEndsWithTheNewSchema()
    {
        await using (var old = await ConnectAsync())
        {
            await ExecuteAsync(old, LegacyPostgresSchema.Full +
                "INSERT INTO switchboard_sessions(id, created_seq, state, name, labels, metadata, input_tokens, output_tokens, cost_usd, tasks_running, " +
                "created_at, updated_at, version, root_id, tree_path, depth, subtree_active, subtree_input_tokens, subtree_cost_usd, accepts_commands) " +
                "VALUES ('kept', 1, 'working', 'old one', '{\"team\":\"a\"}', '{}', 7, 0, 0.25, 2, now(), now(), 1, 'kept', 'kept', 0, 1, 7, 0.25, true);" +
                "INSERT INTO switchboard_events(seq, at, type, session_id, data) VALUES (1, now(), 'session_created', 'kept', '\\x7b7d');" +
                "UPDATE switchboard_log SET head_seq = 1, active_count = 1;" +
                "INSERT INTO switchboard_alert_rules(id, data) VALUES ('r', '{}');");
        }

        var rows = await SchemaSnapshot.PostgresRowsAsync(ConnectionString);
        var store = await OpenNodeAsync();
        SchemaSnapshot.KeptRows(rows, await SchemaSnapshot.PostgresRowsAsync(ConnectionString)).ShouldBeNull();
        store.Epoch.ShouldBe(LegacyPostgresSchema.Epoch);
        var kept = (await store.GetSessionAsync("kept", CancellationToken.None))!;
        (kept.Name, kept.State, kept.Labels["team"], kept.InputTokens, kept.CostUsd, kept.TasksRunning).ShouldBe(("old one", SessionState.Working, "a", 7L, 0.25m, 2));
        (await WriteOne(store, new CreateSession { Id = "child", ParentId = "kept" })).Succeeded.ShouldBeTrue();
        (await SchemaSnapshot.PostgresAppliedAsync(ConnectionString)).ShouldBe(AllApplied);

        var fresh = await Cluster.CreateDatabaseAsync();
        await using (var other = new PostgresSessionStore(new PostgresStoreOptions(fresh), Time))
        {
            await other.InitializeAsync(CancellationToken.None).WaitAsync(TestTimeouts.Default);
        }

        (await SchemaSnapshot.PostgresAsync(ConnectionString)).ShouldBe(await SchemaSnapshot.PostgresAsync(fresh));
    }

    [Fact]
    public async Task WebhooksAndAlertRulesStoredBeforeConfigVersionsStartAtVersionOne()
    {
        await using (var old = await ConnectAsync())
        {
            await new SchemaMigrator(PostgresDialect.Instance, ConfigVersionRows.Before(PostgresMigrations.All)).MigrateAsync(old, DateTimeOffset.UnixEpoch, CancellationToken.None);
            await ExecuteAsync(old, ConfigVersionRows.Insert(PostgresDialect.Instance));
        }

        await ConfigVersionRows.CheckAsync(await OpenNodeAsync());
    }

    [Fact]
    public async Task ADatabaseOfANewerSwitchboardIsRefusedAndLeftAsItWas()
    {
        await using (var newer = await ConnectAsync())
        {
            await ExecuteAsync(newer,
                "CREATE TABLE switchboard_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL);" +
                $"INSERT INTO switchboard_schema_migrations VALUES (1, 'baseline', now()), ({PostgresMigrations.All.Length + 1}, 'from the future', now());" +
                "CREATE TABLE switchboard_future (id bigint PRIMARY KEY);");
        }

        var before = await SchemaSnapshot.PostgresAsync(ConnectionString);
        var refused = await Should.ThrowAsync<SwitchboardStartupException>(() => OpenNodeAsync());

        refused.Message.ShouldBe(
            $"The database's schema is version {PostgresMigrations.All.Length + 1}, written by a newer Switchboard; this one knows versions up to {PostgresMigrations.All.Length}. " +
            "Run the newer Switchboard, or restore a backup taken before it ran.");
        (await SchemaSnapshot.PostgresAsync(ConnectionString)).ShouldBe(before);
        (await SchemaSnapshot.PostgresAppliedAsync(ConnectionString)).ShouldBe(["1 baseline", $"{PostgresMigrations.All.Length + 1} from the future"]);
    }
}

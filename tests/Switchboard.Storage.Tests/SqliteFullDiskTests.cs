using Microsoft.Data.Sqlite;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.UsageRollups;
using Switchboard.Core.Writes;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests;

/// <summary>
/// The SQLite store opened on a real, full tmpfs (issue 30): an existing database opens and reads, writes are refused
/// naming the disk, and once there is space the first write pays the start-up work it owed. A new database cannot open
/// without space, and says why in one line.
/// </summary>
public sealed class SqliteFullDiskTests
{
    [Fact]
    public async Task AnExistingDatabaseOpensOnAFullDiskReadsAndTakesWritesOnceThereIsSpace()
    {
        using var fs = new SmallFilesystem(2048);
        var data = Path.Combine(fs.Path, "data");
        var database = Path.Combine(data, "switchboard.db");
        var byTeam = new UsageOptions { GroupBy = ["team"] };
        await using (var before = await OpenAsync(database, byTeam))
        {
            await before.WriteAsync(
                [new CreateSession { Id = "a", Labels = new Dictionary<string, string> { ["team"] = "x", ["model"] = "m" } }],
                CancellationToken.None);
        }

        var filler = fs.Fill();
        // Rollups now also split by model: the per-label active counts are rebuilt at start, which needs space.
        var byTeamAndModel = new UsageOptions { GroupBy = ["team", "model"] };
        await using var store = await OpenAsync(database, byTeamAndModel);
        store.WriteFailureAtStart.ShouldNotBeNull();
        store.WriteFailureAtStart.ShouldContain(data);
        store.WriteFailureAtStart.ShouldContain("full");

        (await store.GetSessionAsync("a", CancellationToken.None)).ShouldNotBeNull();
        (await store.LoadStateAsync(CancellationToken.None)).HeadSeq.ShouldBe(1);
        var refused = await Should.ThrowAsync<StoreUnavailableException>(() =>
            store.WriteAsync([new CreateSession { Id = "b" }], CancellationToken.None));
        refused.Message.ShouldContain(data);
        refused.Message.ShouldContain("full");
        await Should.ThrowAsync<StoreUnavailableException>(() => store.CheckWritableAsync(CancellationToken.None));
        (await store.GetSessionAsync("b", CancellationToken.None)).ShouldBeNull("a refused write leaves no trace");

        File.Delete(filler);
        await store.CheckWritableAsync(CancellationToken.None);
        store.WriteFailureAtStart.ShouldBeNull();
        ActiveCounts(database).ShouldBe([("model", "m", 1L), ("team", "x", 1L)], "the rebuild owed since start-up was paid first");
        var written = await store.WriteAsync([new CreateSession { Id = "b" }], CancellationToken.None);
        written[0].Event!.Seq.ShouldBe(2);
    }

    [Fact]
    public async Task ANewDatabaseOnAFullDiskIsRefusedWithALineNamingTheDisk()
    {
        using var fs = new SmallFilesystem(256);
        var data = Path.Combine(fs.Path, "data");
        Directory.CreateDirectory(data);
        fs.Fill();
        var store = new SqliteSessionStore(new SqliteStoreOptions(Path.Combine(data, "switchboard.db")), TimeProvider.System);
        var refused = await Should.ThrowAsync<StoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));
        refused.Message.ShouldContain($"The disk holding the data directory {data} is full");
        await store.DisposeAsync();
    }

    [Fact]
    public async Task ACleanCloseKeepsTheWalFilesEmptySoABackupCopiedOverTheDatabaseIsWhatOpens()
    {
        using var data = new TempDirectory();
        var database = Path.Combine(data.Path, "switchboard.db");
        var backup = Path.Combine(data.Path, "backup.db");
        await using (var store = await OpenAsync(database, UsageOptions.Default))
        {
            await store.WriteAsync([new CreateSession { Id = "in-backup" }], CancellationToken.None);
        }

        File.Copy(database, backup);
        await using (var store = await OpenAsync(database, UsageOptions.Default))
        {
            await store.WriteAsync([new CreateSession { Id = "after-backup" }], CancellationToken.None);
            (await store.GetSessionAsync("in-backup", CancellationToken.None)).ShouldNotBeNull();
        }

        new FileInfo(database + "-wal").Length.ShouldBe(0, "kept, but no frame outlives a clean close");
        File.Exists(database + "-shm").ShouldBeTrue("kept, so opening needs no new space");

        File.Copy(backup, database, overwrite: true);
        await using var restored = await OpenAsync(database, UsageOptions.Default);
        (await restored.GetSessionAsync("in-backup", CancellationToken.None)).ShouldNotBeNull();
        (await restored.GetSessionAsync("after-backup", CancellationToken.None)).ShouldBeNull("the backup is what opens");
        (await restored.LoadStateAsync(CancellationToken.None)).HeadSeq.ShouldBe(1);
    }

    private static async Task<SqliteSessionStore> OpenAsync(string database, UsageOptions usage)
    {
        var store = new SqliteSessionStore(new SqliteStoreOptions(database) { Usage = usage }, TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    private static List<(string Key, string Value, long Active)> ActiveCounts(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT group_key, group_value, active FROM usage_active ORDER BY group_key, group_value;";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, string, long)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        }

        return rows;
    }
}

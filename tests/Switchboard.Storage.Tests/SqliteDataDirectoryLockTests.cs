using Switchboard.Core.Writes;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests;

/// <summary>
/// One owner per data directory: a second SQLite store on the same directory is refused before it opens the database,
/// naming the holder, and the first keeps writing. Closing the first frees the directory.
/// </summary>
public sealed class SqliteDataDirectoryLockTests
{
    private static async Task<SqliteSessionStore> OpenAsync(string directory)
    {
        var store = new SqliteSessionStore(new SqliteStoreOptions(Path.Combine(directory, "switchboard.db")), TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    [Fact]
    public async Task ASecondStoreOnTheSameDirectoryIsRefusedAndTheFirstKeepsWriting()
    {
        using var data = new TempDirectory();
        await using var first = await OpenAsync(data.Path);
        first.DirectoryLock!.RecordAddress("http://127.0.0.1:5097");
        await first.WriteAsync([new CreateSession { Id = "before" }], CancellationToken.None);

        var second = new SqliteSessionStore(new SqliteStoreOptions(Path.Combine(data.Path, "other.db")), TimeProvider.System);
        var refused = await Should.ThrowAsync<DataDirectoryInUseException>(() => second.InitializeAsync(CancellationToken.None));
        refused.Directory.ShouldBe(Path.GetFullPath(data.Path));
        refused.Holder.ShouldNotBeNull();
        refused.Holder.ShouldContain($"pid {Environment.ProcessId}");
        refused.Holder.ShouldContain("serving http://127.0.0.1:5097");
        File.Exists(Path.Combine(data.Path, "other.db")).ShouldBeFalse("the refused store never opened its database");
        await second.DisposeAsync();

        var after = await first.WriteAsync([new CreateSession { Id = "after" }], CancellationToken.None);
        after[0].Event!.Seq.ShouldBe(2);
    }

    [Fact]
    public async Task ClosingTheOwnerFreesTheDirectory()
    {
        using var data = new TempDirectory();
        var first = await OpenAsync(data.Path);
        await first.WriteAsync([new CreateSession { Id = "a" }], CancellationToken.None);
        await first.DisposeAsync();

        await using var next = await OpenAsync(data.Path);
        (await next.LoadStateAsync(CancellationToken.None)).HeadSeq.ShouldBe(1);
    }
}

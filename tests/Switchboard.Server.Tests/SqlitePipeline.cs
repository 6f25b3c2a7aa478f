using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Core.Writes;
using Switchboard.Server.Ingest;
using Switchboard.Server.Options;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Server.Tests;

/// <summary>
/// A running group commit on a real SQLite store in a temporary directory, with the live path played by the test's
/// <see cref="IWriteThrottle"/>; an answer waits for its fan-out at most 250 ms on <paramref name="clock"/>.
/// </summary>
internal sealed class SqlitePipeline(string directory, SqliteSessionStore store, GroupCommit pipeline) : IAsyncDisposable
{
    public SqliteSessionStore Store { get; } = store;

    public GroupCommit Pipeline { get; } = pipeline;

    public static async Task<SqlitePipeline> StartAsync(IWriteThrottle live, TimeProvider clock)
    {
        var directory = Directory.CreateTempSubdirectory("switchboard-pipeline-").FullName;
        var store = new SqliteSessionStore(new SqliteStoreOptions(Path.Combine(directory, "switchboard.db")), TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        var pipeline = new GroupCommit(store, live, new SocketOptions { FanoutAnswerWait = TimeSpan.FromMilliseconds(250) },
            NullLogger<GroupCommit>.Instance, clock);
        pipeline.Start();
        return new SqlitePipeline(directory, store, pipeline);
    }

    public async ValueTask DisposeAsync()
    {
        await Pipeline.DisposeAsync();
        await Store.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }
}

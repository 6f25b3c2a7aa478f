using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Storage.Sqlite;

/// <summary>The SQLite store's log messages (<see cref="LogEventIds.Sqlite"/>).</summary>
internal static partial class SqliteLog
{
    [LoggerMessage(LogEventIds.Sqlite + 60, LogLevel.Information, "Migrated the schema of {Path} to version {Version}: applied {Applied}", EventName = "Sqlite.Migrated")]
    public static partial void Migrated(ILogger logger, string path, int version, string applied);

    [LoggerMessage(LogEventIds.Sqlite + 61, LogLevel.Error, "Checkpointing the WAL failed ({Failures} in a row); the loop starts again in {RestartIn}, and the writer checkpoints in its commits meanwhile once the WAL is large", EventName = "Sqlite.CheckpointFailed")]
    public static partial void CheckpointFailed(ILogger logger, int failures, TimeSpan? restartIn, Exception exception);
}

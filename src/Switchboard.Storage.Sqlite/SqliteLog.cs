using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Storage.Sqlite;

/// <summary>The SQLite store's log messages (<see cref="LogEventIds.Sqlite"/>).</summary>
internal static partial class SqliteLog
{
    [LoggerMessage(LogEventIds.Sqlite + 60, LogLevel.Information, "Migrated the schema of {Path} to version {Version}: applied {Applied}", EventName = "Sqlite.Migrated")]
    public static partial void Migrated(ILogger logger, string path, int version, string applied);
}

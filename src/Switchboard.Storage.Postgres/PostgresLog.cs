using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Storage.Postgres;

/// <summary>The PostgreSQL store's log messages (<see cref="LogEventIds.Postgres"/>). Connection strings are never logged.</summary>
internal static partial class PostgresLog
{
    [LoggerMessage(LogEventIds.Postgres + 0, LogLevel.Information, "Listening for committed events on channel {Channel} after seq {AfterSeq}", EventName = "Postgres.Listening")]
    public static partial void Listening(ILogger logger, string channel, long afterSeq);

    [LoggerMessage(LogEventIds.Postgres + 1, LogLevel.Warning, "The event feed lost its PostgreSQL connection; reconnecting in {DelayMs} ms", EventName = "Postgres.FeedDisconnected")]
    public static partial void FeedDisconnected(ILogger logger, long delayMs, Exception exception);

    [LoggerMessage(LogEventIds.Postgres + 2, LogLevel.Information, "The event feed reconnected after {Attempts} attempts and caught up to seq {Seq}", EventName = "Postgres.FeedReconnected")]
    public static partial void FeedReconnected(ILogger logger, int attempts, long seq);

    [LoggerMessage(LogEventIds.Postgres + 3, LogLevel.Error, "The event feed fell behind retention: events {FromSeq}..{ToSeq} were purged before this node read them", EventName = "Postgres.FeedFellBehindRetention")]
    public static partial void FeedFellBehindRetention(ILogger logger, long fromSeq, long toSeq);

    [LoggerMessage(LogEventIds.Postgres + 4, LogLevel.Warning, "Seq {Seq} is not visible yet although later events are; waiting for it instead of skipping it", EventName = "Postgres.FeedWaitingForGap")]
    public static partial void FeedWaitingForGap(ILogger logger, long seq);

    [LoggerMessage(LogEventIds.Postgres + 5, LogLevel.Warning, "A PostgreSQL connection failed during {Operation} ({Reason}); retrying once on a fresh connection", EventName = "Postgres.Retrying")]
    public static partial void Retrying(ILogger logger, string operation, string reason);

    [LoggerMessage(LogEventIds.Postgres + 6, LogLevel.Information, "PostgreSQL store ready: epoch {Epoch}, head seq {HeadSeq}", EventName = "Postgres.Initialized")]
    public static partial void Initialized(ILogger logger, string epoch, long headSeq);

    [LoggerMessage(LogEventIds.Postgres + 60, LogLevel.Information, "Migrated the schema to version {Version}: applied {Applied}", EventName = "Postgres.Migrated")]
    public static partial void Migrated(ILogger logger, int version, string applied);
}

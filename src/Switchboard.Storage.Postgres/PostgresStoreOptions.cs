namespace Switchboard.Storage.Postgres;

/// <summary>Settings of the PostgreSQL store.</summary>
public sealed record PostgresStoreOptions
{
    /// <summary>Creates settings for the database named by an Npgsql connection string.</summary>
    public PostgresStoreOptions(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ConnectionString = connectionString;
    }

    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Database=switchboard;Username=switchboard;Password=…</c>.</summary>
    public string ConnectionString { get; init; }

    /// <summary>
    /// How often the feed reads the table even without a notification: a safety net under LISTEN/NOTIFY
    /// that also notices a silently dead listening connection. Default 2 s.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>First delay before reconnecting the listening connection; doubles up to <see cref="MaxReconnectDelay"/>. Default 100 ms.</summary>
    public TimeSpan MinReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest delay between reconnection attempts. Default 5 s.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A write transaction holds the log's write lock; if its node hangs between statements for this long, PostgreSQL
    /// ends the transaction so the other nodes can go on writing. Default 15 s.
    /// </summary>
    public TimeSpan IdleInTransactionTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a node's presence viewers stay visible on the other nodes after it last renewed its liveness: the bound
    /// on how long a node that died (<c>kill -9</c>) still shows its viewers elsewhere. Default 10 s.
    /// </summary>
    public TimeSpan PresenceLiveness { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a node renews its presence liveness. Default 2 s.</summary>
    public TimeSpan PresenceRenewInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Usage rollups: the labels they are split by and how long they are kept. Every node must use the same.</summary>
    public UsageRollups.UsageOptions Usage { get; init; } = Switchboard.UsageRollups.UsageOptions.Default;

    /// <summary>Test hook: runs inside every write transaction after its rows are written and before COMMIT.</summary>
    internal Func<CancellationToken, Task>? BeforeCommit { get; init; }
}

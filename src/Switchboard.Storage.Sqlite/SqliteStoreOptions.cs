namespace Switchboard.Storage.Sqlite;

/// <summary>How SQLite makes commits durable.</summary>
public enum SqliteDurability
{
    /// <summary>
    /// WAL with <c>synchronous=NORMAL</c>: a commit is in the WAL file before it is acknowledged, so it
    /// survives the process being killed; a power cut may lose the last commits.
    /// </summary>
    Normal,
    /// <summary>WAL with <c>synchronous=FULL</c>: every commit is fsynced; survives power loss too.</summary>
    Full,
}

/// <summary>Settings of the SQLite store.</summary>
internal sealed record SqliteStoreOptions(string DatabasePath, SqliteDurability Durability = SqliteDurability.Normal)
{
    /// <summary>Usage rollups: the labels they are split by and how long they are kept.</summary>
    public Switchboard.Core.UsageRollups.UsageOptions Usage { get; init; } = Switchboard.Core.UsageRollups.UsageOptions.Default;

    /// <summary>Durable streams' settings the write transaction applies (how long a session's streams outlive it).</summary>
    public Switchboard.Core.Streams.StreamPolicy Streams { get; init; } = Switchboard.Core.Streams.StreamPolicy.Default;
}

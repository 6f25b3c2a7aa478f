namespace Switchboard.Hosting;

/// <summary>Every default value, in one place, so code, docs and errors agree.</summary>
public static class SwitchboardDefaults
{
    /// <summary>Default listen address of the executable.</summary>
    public const string Urls = "http://127.0.0.1:5080";
    /// <summary>Default data directory.</summary>
    public const string DataDirectory = "data";
    /// <summary>SQLite file name inside the data directory.</summary>
    public const string DatabaseFileName = "switchboard.db";
    /// <summary>Default event age limit.</summary>
    public static readonly TimeSpan RetentionMaxAge = TimeSpan.FromHours(24);
    /// <summary>Default event count limit.</summary>
    public const long RetentionMaxEvents = 1_000_000;
    /// <summary>Default purge interval.</summary>
    public static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);
    /// <summary>Default idle/heartbeat timeout.</summary>
    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(60);
    /// <summary>Default connection limit; below the 20,000 open files a process may hold.</summary>
    public const int MaxConnections = 15_000;
    /// <summary>Default inbound frame limit.</summary>
    public const int MaxFrameBytes = 64 * 1024;
    /// <summary>Default channel limit per connection.</summary>
    public const int MaxChannelsPerConnection = 100;
    /// <summary>Default slow-consumer frame cap.</summary>
    public const int SendQueueMaxFrames = 8192;
    /// <summary>Default slow-consumer byte cap.</summary>
    public const long SendQueueMaxBytes = 8 * 1024 * 1024;
    /// <summary>Default replay limit before a snapshot is sent instead.</summary>
    public const int MaxReplayEvents = 10_000;
    /// <summary>Default number of sessions in a join snapshot.</summary>
    public const int SnapshotSessions = 100;
    /// <summary>Largest snapshot a join may ask for.</summary>
    public const int MaxSnapshotSessions = 1000;
    /// <summary>Summary coalescing window.</summary>
    public static readonly TimeSpan SummaryCoalesceWindow = TimeSpan.FromMilliseconds(100);
    /// <summary>Summary interval while active.</summary>
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(10);
    /// <summary>Long-poll window (Phoenix's default).</summary>
    public static readonly TimeSpan LongPollWindow = TimeSpan.FromSeconds(10);
    /// <summary>SSE heartbeat interval.</summary>
    public static readonly TimeSpan SseHeartbeatInterval = TimeSpan.FromSeconds(15);
    /// <summary>Default HTTP body limit.</summary>
    public const long MaxBodyBytes = 1024 * 1024;
    /// <summary>Default batch size limit.</summary>
    public const int MaxBatchOperations = 1000;
    /// <summary>Default page size.</summary>
    public const int DefaultPageSize = 50;
    /// <summary>Largest page size.</summary>
    public const int MaxPageSize = 1000;
    /// <summary>How often leases are checked.</summary>
    public static readonly TimeSpan LeaseCheckInterval = TimeSpan.FromSeconds(1);
}

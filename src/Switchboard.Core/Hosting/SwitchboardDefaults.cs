namespace Switchboard;

/// <summary>Every default value, in one place, so code, docs and errors agree.</summary>
internal static class SwitchboardDefaults
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
    /// <summary>Default time a new connection has to send its whole request head.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);
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
    /// <summary>Sustained inbound message rate per connection.</summary>
    public const double MaxMessagesPerSecond = 50;
    /// <summary>Inbound message burst per connection: room for a client rejoining its 100 channels at once.</summary>
    public const int MessageBurst = 200;
    public static readonly TimeSpan MaxFanoutLag = TimeSpan.FromMilliseconds(250);
    public const int MaxPendingEvents = 50_000;
    public static readonly TimeSpan WriteWaitTimeout = TimeSpan.FromSeconds(5);
    public const long MaxSnapshotBytes = 1024 * 1024;
    /// <summary>Default writes per key (or remote address) per window.</summary>
    public const int WriteRateLimit = 5000;
    /// <summary>Default write rate window.</summary>
    public static readonly TimeSpan WriteRateWindow = TimeSpan.FromSeconds(1);
    /// <summary>Default lifetime of a subscriber token minted by <c>POST /api/tokens</c>.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(15);
    /// <summary>Longest lifetime <c>POST /api/tokens</c> grants.</summary>
    public static readonly TimeSpan TokenMaxLifetime = TimeSpan.FromHours(24);
    /// <summary>File in the data directory that holds the generated token signing secret.</summary>
    public const string TokenSecretFileName = "token-secret";
    /// <summary>Shortest API key accepted.</summary>
    public const int MinApiKeyLength = 16;
    /// <summary>Shortest token signing secret accepted (HS256 needs 256 bits).</summary>
    public const int MinTokenSecretLength = 32;
    /// <summary>How often leases are checked.</summary>
    public static readonly TimeSpan LeaseCheckInterval = TimeSpan.FromSeconds(1);
}

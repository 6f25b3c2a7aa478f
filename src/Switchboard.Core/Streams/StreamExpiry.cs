namespace Switchboard.Core.Streams;

/// <summary>
/// When a stream expires. A TTL slides: each read or write that reaches a node renews it (HEAD does not); an absolute
/// expiry never moves. An expired stream answers as deleted at once, whether or not the sweeper has reached it yet.
/// </summary>
internal static class StreamExpiry
{
    /// <summary>The longest TTL, and the farthest expiry from now: ten years.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(3650);

    /// <summary>
    /// How stale a renewal may be before a read writes a fresh one: a tenth of the TTL, at most one second. A busy stream
    /// is then renewed at most once a second by all its readers together, and expires no more than that early.
    /// </summary>
    public static TimeSpan RenewalGrain(long ttlSeconds) => TimeSpan.FromMilliseconds(Math.Min(ttlSeconds * 100, 1000));

    /// <summary>When <paramref name="row"/> expires, or null when it never does.</summary>
    public static DateTimeOffset? DueAt(StreamRow row) =>
        row.TtlSeconds is { } ttl ? row.AccessedAt.AddSeconds(ttl) : row.ExpiresAt;

    /// <summary>True once <paramref name="row"/>'s expiry has passed.</summary>
    public static bool IsExpired(StreamRow row, DateTimeOffset now) => DueAt(row) is { } due && due <= now;

    /// <summary>
    /// The row renewed by an access at <paramref name="now"/> when its TTL's last renewal is at least a grain old; null
    /// when it needs no write (no TTL, or renewed recently enough).
    /// </summary>
    public static StreamRow? Renewed(StreamRow row, DateTimeOffset now)
    {
        if (row.TtlSeconds is not { } ttl || now - row.AccessedAt < RenewalGrain(ttl))
        {
            return null;
        }

        var renewed = row with { AccessedAt = now };
        return renewed with { DueAt = DueAt(renewed) };
    }

    /// <summary>
    /// A fork's expiry (the protocol's table): what the request names wins; with neither, the fork inherits its source's
    /// TTL value (renewed on its own from then on) or its source's absolute expiry.
    /// </summary>
    public static (long? TtlSeconds, DateTimeOffset? ExpiresAt) ForFork(StreamRow source, long? ttlSeconds, DateTimeOffset? expiresAt) =>
        ttlSeconds is not null || expiresAt is not null ? (ttlSeconds, expiresAt) : (source.TtlSeconds, source.ExpiresAt);
}

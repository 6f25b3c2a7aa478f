using System.Globalization;

namespace Switchboard.Core.Streams;

/// <summary>
/// The protocol's header values, parsed strictly: integers in plain decimal (no sign, leading zero, point or exponent),
/// timestamps in RFC 3339. Each parser says what was wrong in a sentence a client can act on.
/// </summary>
internal static class StreamHeaderValues
{
    private static readonly string[] Rfc3339 =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>A non-negative integer in plain decimal, at most <paramref name="max"/>; null with <paramref name="problem"/> otherwise.</summary>
    public static long? NonNegative(string name, string value, long max, out string? problem)
    {
        problem = null;
        if (value.Length == 0 || value.Length > 19 || !value.All(char.IsAsciiDigit) || (value.Length > 1 && value[0] == '0'))
        {
            problem = $"{name} must be a non-negative integer in plain decimal (no sign, leading zero, point or exponent); got '{Shorten(value)}'.";
            return null;
        }

        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > max)
        {
            problem = $"{name} is {Shorten(value)}; the most is {max.ToString(CultureInfo.InvariantCulture)}.";
            return null;
        }

        return number;
    }

    /// <summary><c>Stream-TTL</c>: whole seconds, 1 to ten years.</summary>
    public static long? Ttl(string value, out string? problem)
    {
        var ttl = NonNegative("Stream-TTL", value, (long)StreamExpiry.MaxLifetime.TotalSeconds, out problem);
        if (ttl == 0)
        {
            problem = "Stream-TTL is 0: a stream that expires the moment it is idle cannot be read; send at least 1 (seconds).";
            return null;
        }

        return ttl;
    }

    /// <summary><c>Stream-Expires-At</c>: an RFC 3339 timestamp after <paramref name="now"/> and within ten years of it.</summary>
    public static DateTimeOffset? ExpiresAt(string value, DateTimeOffset now, out string? problem)
    {
        problem = null;
        // RFC 3339 allows a lower-case 't' and 'z'.
        var text = value.Trim().ToUpperInvariant();
        if (!HasZone(text) || !DateTimeOffset.TryParseExact(text, Rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
        {
            problem = $"Stream-Expires-At must be an RFC 3339 timestamp with a time zone, e.g. 2030-01-01T00:00:00Z; got '{Shorten(value)}'.";
            return null;
        }

        at = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
        if (at <= now)
        {
            problem = $"Stream-Expires-At {Shorten(value)} has already passed; send a time in the future.";
            return null;
        }

        if (at - now > StreamExpiry.MaxLifetime)
        {
            problem = $"Stream-Expires-At {Shorten(value)} is more than {StreamExpiry.MaxLifetime.TotalDays:0} days away.";
            return null;
        }

        return at;
    }

    /// <summary>The protocol's boolean headers count only when exactly <c>true</c> (any case); every other value is absent.</summary>
    public static bool IsTrue(string? value) => value is not null && value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Formats an expiry the way clients parse it: UTC, milliseconds, <c>Z</c>.</summary>
    public static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static bool HasZone(string v) => v.EndsWith('Z') || (v.Length > 6 && v[^6] is '+' or '-' && v[^3] == ':');

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}

using System.Globalization;

namespace Switchboard.Core.Streams;

/// <summary>
/// The cursor live responses carry so a CDN can collapse identical long-polls without serving the same cached answer
/// forever: the number of 20-second intervals since 2024-10-09T00:00:00Z. A client echoes the last one it got; when it
/// is not behind the current interval, the answer moves past it by a random 1–3,600 s (in whole intervals), so cursors
/// only ever grow and a cache key is never revisited.
/// </summary>
internal static class StreamCursor
{
    private static readonly DateTimeOffset Epoch = new(2024, 10, 9, 0, 0, 0, TimeSpan.Zero);
    private const int IntervalSeconds = 20;
    private const int MaxJitterSeconds = 3600;

    /// <summary>The cursor to send at <paramref name="now"/> to a client that echoed <paramref name="echoed"/> (or none).</summary>
    public static string Next(DateTimeOffset now, string? echoed, Random random)
    {
        var current = Math.Max(0, (long)Math.Floor((now - Epoch).TotalSeconds / IntervalSeconds));
        if (echoed is not null && long.TryParse(echoed, NumberStyles.None, CultureInfo.InvariantCulture, out var previous) && previous >= current
            && previous < long.MaxValue / 2)
        {
            var jitterSeconds = random.Next(1, MaxJitterSeconds + 1);
            current = previous + Math.Max(1, (jitterSeconds + IntervalSeconds - 1) / IntervalSeconds);
        }

        return current.ToString(CultureInfo.InvariantCulture);
    }
}

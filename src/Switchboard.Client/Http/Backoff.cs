namespace Switchboard.Client.Http;

/// <summary>Exponential backoff with jitter, so many clients that failed together do not retry together.</summary>
internal static class Backoff
{
    /// <summary>
    /// The delay before retry <paramref name="attempt"/> (1-based): <c>base · 2^(attempt-1)</c> capped at
    /// <paramref name="max"/>, then a random point in its upper half.
    /// </summary>
    public static TimeSpan Jittered(int attempt, TimeSpan @base, TimeSpan max)
    {
        var exponent = Math.Min(attempt - 1, 20);
        var ceiling = Math.Min(@base.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }
}

using System.Threading.RateLimiting;
using Switchboard.Server.Options;

namespace Switchboard.Server.Security;

/// <summary>
/// The per-key write rate: a token bucket per partition (an API key's fingerprint, or the remote address when auth is
/// off) from System.Threading.RateLimiting, the engine behind ASP.NET Core's rate limiting. It runs as an endpoint filter
/// rather than the middleware because MapSwitchboard cannot add middleware to a host's pipeline, and a forgotten
/// UseRateLimiter() would leave writes unlimited without anyone noticing.
/// </summary>
internal sealed class WriteRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public WriteRateLimiter(SwitchboardOptions options)
    {
        Limit = options.Http.WriteRateLimit;
        Window = options.Http.WriteRateWindow;
        if (Limit > 0)
        {
            _limiter = PartitionedRateLimiter.Create<string, string>(partition => RateLimitPartition.GetTokenBucketLimiter(partition, _ =>
                new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Limit,
                    TokensPerPeriod = Limit,
                    ReplenishmentPeriod = Window,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        }
    }

    public int Limit { get; }

    public TimeSpan Window { get; }

    /// <summary>Takes one write for <paramref name="partition"/>; when refused, how long until one is free.</summary>
    public bool TryAcquire(string partition, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_limiter is null)
        {
            return true;
        }

        using var lease = _limiter.AttemptAcquire(partition);
        if (lease.IsAcquired)
        {
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : Window;
        return false;
    }

    public void Dispose() => _limiter?.Dispose();
}

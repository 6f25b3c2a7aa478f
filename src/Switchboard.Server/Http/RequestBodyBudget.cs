using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Http;

/// <summary>
/// The bytes this node buffers for request bodies at once, over every route that reads a whole body (the API, the hooks,
/// OTLP/HTTP, Durable Streams): at most <see cref="HttpApiOptions.MaxInFlightBodyBytes"/>. A <see cref="BodyBuffer"/>
/// reserves each growth here before it rents it and gives it back when it is returned, so a request is refused (503 with
/// <c>Retry-After</c>) before the node allocates past the budget, however many requests announce large bodies. One
/// counter, no lock.
/// </summary>
internal sealed class RequestBodyBudget(SwitchboardOptions options, TimeProvider time, ILogger<RequestBodyBudget> logger)
{
    /// <summary>The delay a refused client is asked to wait: bodies in flight finish or are cut by Kestrel's minimum data rate.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>At most one warning per this long, however many requests are refused meanwhile.</summary>
    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(10);

    private long _inFlight;
    private long _refusedSinceWarning;
    private long _lastWarning = long.MinValue;

    public long Limit { get; } = options.Http.MaxInFlightBodyBytes;

    /// <summary>Bytes reserved by bodies being read now.</summary>
    public long InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Reserves <paramref name="bytes"/>; false, and nothing reserved, when that would pass the limit. A true is paired
    /// with a <see cref="Release"/> of the same bytes.
    /// </summary>
    public bool TryReserve(long bytes)
    {
        var current = Volatile.Read(ref _inFlight);
        while (true)
        {
            if (current + bytes > Limit)
            {
                Refused();
                return false;
            }

            var seen = Interlocked.CompareExchange(ref _inFlight, current + bytes, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }
    }

    public void Release(long bytes) => Interlocked.Add(ref _inFlight, -bytes);

    /// <summary>What a refused request is answered.</summary>
    public ProblemResult Refusal() => new(StatusCodes.Status503ServiceUnavailable, "overloaded", "Service unavailable",
        $"This node is already buffering its budget of {Limit} bytes of request bodies (Switchboard:Http:MaxInFlightBodyBytes); " +
        $"nothing was changed: retry after {RetryAfter.TotalSeconds:0} s.")
    {
        RetryAfterSeconds = (int)RetryAfter.TotalSeconds,
    };

    /// <summary>Counts a refusal, and warns once per <see cref="WarningInterval"/> with how many there were.</summary>
    private void Refused()
    {
        Interlocked.Increment(ref _refusedSinceWarning);
        var now = time.GetTimestamp();
        var last = Volatile.Read(ref _lastWarning);
        if (last != long.MinValue && time.GetElapsedTime(last, now) < WarningInterval)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
        {
            RequestBodyLog.BudgetFull(logger, Interlocked.Exchange(ref _refusedSinceWarning, 0), InFlight, Limit);
        }
    }
}

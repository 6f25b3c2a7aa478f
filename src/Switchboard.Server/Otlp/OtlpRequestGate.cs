using Switchboard.Server.Options;
using Switchboard.Server.Otlp.Options;

namespace Switchboard.Server.Otlp;

/// <summary>
/// How many OTLP requests, HTTP and gRPC together, this node handles at once (<see cref="OtlpOptions.MaxConcurrentRequests"/>).
/// A request takes a slot once its key and write rate are checked, before its body is read, and gives it back when it is
/// answered; with no slot free it is refused at once (503 with <c>Retry-After</c>, gRPC UNAVAILABLE with a retry delay),
/// never queued, so a burst of exporters costs this node memory and CPU only up to the cap. One counter, no lock.
/// </summary>
internal sealed class OtlpRequestGate(SwitchboardOptions options)
{
    /// <summary>The delay a refused exporter is asked to wait: requests take milliseconds, so a slot is soon free.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private int _inFlight;

    public int Limit { get; } = options.Otlp.MaxConcurrentRequests;

    /// <summary>Requests holding a slot now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>What a refused request is told.</summary>
    public string Refusal => $"This node is already handling {Limit} OTLP requests (Switchboard:Otlp:MaxConcurrentRequests); retry after {RetryAfter.TotalSeconds:0} s.";

    /// <summary>Takes a slot; false when all are taken. A true is paired with one <see cref="Exit"/>.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _inFlight) <= Limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);
}

namespace Switchboard.Core.Streams;

/// <summary>
/// Idempotent producers (Kafka-style): a producer names itself, declares an epoch it raises on every restart, and numbers
/// its requests 0, 1, 2… within an epoch. The server accepts the next number, answers a repeat as a duplicate that
/// changes nothing, refuses a gap, and fences an older epoch (a zombie). Checked and recorded in the same commit as the
/// bytes, so a retry after a crash is still recognised.
/// </summary>
internal static class ProducerRules
{
    /// <summary>The largest epoch or sequence number (2^53 − 1, so JavaScript clients count exactly).</summary>
    public const long MaxNumber = 9_007_199_254_740_991;

    /// <summary>The longest producer id, in characters.</summary>
    public const int MaxIdLength = 256;

    /// <summary>What to do with <paramref name="request"/> given the producer's state on the stream (null for a new producer).</summary>
    public static ProducerDecision Check(ProducerRow? state, ProducerTuple request)
    {
        if (state is null)
        {
            // A producer the stream has not seen (or whose state a fork did not inherit) starts at 0 in any epoch.
            return request.Seq == 0 ? ProducerDecision.Accept(request.Epoch, 0) : ProducerDecision.Gap(0, request.Seq);
        }

        if (request.Epoch < state.Epoch)
        {
            return ProducerDecision.Stale(state.Epoch);
        }

        if (request.Epoch > state.Epoch)
        {
            return request.Seq == 0 ? ProducerDecision.Accept(request.Epoch, 0) : ProducerDecision.NewEpochNotAtZero(request.Epoch, request.Seq);
        }

        if (request.Seq <= state.LastSeq)
        {
            return ProducerDecision.Duplicate(state.Epoch, state.LastSeq);
        }

        return request.Seq == state.LastSeq + 1 ? ProducerDecision.Accept(state.Epoch, request.Seq) : ProducerDecision.Gap(state.LastSeq + 1, request.Seq);
    }
}

/// <summary>The outcome of <see cref="ProducerRules.Check"/>.</summary>
internal readonly record struct ProducerDecision(ProducerVerdict Verdict, long Epoch, long Seq, long ReceivedSeq = 0)
{
    public static ProducerDecision Accept(long epoch, long seq) => new(ProducerVerdict.Accept, epoch, seq);

    public static ProducerDecision Duplicate(long epoch, long lastSeq) => new(ProducerVerdict.Duplicate, epoch, lastSeq);

    public static ProducerDecision Stale(long currentEpoch) => new(ProducerVerdict.StaleEpoch, currentEpoch, 0);

    public static ProducerDecision NewEpochNotAtZero(long epoch, long seq) => new(ProducerVerdict.NewEpochNotAtZero, epoch, seq);

    /// <summary><see cref="Seq"/> is the sequence expected, <see cref="ReceivedSeq"/> the one sent.</summary>
    public static ProducerDecision Gap(long expected, long received) => new(ProducerVerdict.Gap, 0, expected, received);
}

/// <summary>The verdicts on a producer's request.</summary>
internal enum ProducerVerdict
{
    /// <summary>Append it; the producer's state becomes (Epoch, Seq).</summary>
    Accept,

    /// <summary>Already appended: answer success, change nothing; Seq is the highest accepted.</summary>
    Duplicate,

    /// <summary>An older epoch than the stream has seen: fenced (403); Epoch is the current one.</summary>
    StaleEpoch,

    /// <summary>A new epoch must start at sequence 0 (400).</summary>
    NewEpochNotAtZero,

    /// <summary>A sequence number was skipped (409).</summary>
    Gap,
}

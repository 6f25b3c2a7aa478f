using Switchboard.Core.Streams;

namespace Switchboard.Core.Writes;

/// <summary>Session stream writes (<see cref="WriteSessionStream"/>), applied in order with the batch's other writes.</summary>
internal sealed partial class WriteBatch
{
    /// <summary>Applies a stream write to the stream batch the transaction loaded (<see cref="StreamWriteProcessor.Apply"/>).</summary>
    private Func<StreamWrite, StreamOutcome>? _streams;

    /// <summary>
    /// The session is checked as the writes before this one left it, so a create after its end in the same commit is
    /// refused before the stream is touched; then the stream write, then the session's list follows it.
    /// </summary>
    private WriteResult ApplyStream(WriteSessionStream write, DateTimeOffset now)
    {
        var current = Current(write.SessionId);
        if (SessionTransitions.StreamPrecheck(write, current) is { } refused)
        {
            return new WriteResult(refused, null, null);
        }

        var streams = _streams ?? throw new InvalidOperationException("A session stream write needs the transaction's streams (UnitOfWork loads them).");
        var outcome = streams(write.Stream);
        var decision = SessionTransitions.StreamChanged(current!, write.Name, outcome, new WriteContext(now, Head.ActiveCount, Head.FleetPaused));
        return Record(write, current, decision, now) with { Stream = outcome };
    }
}

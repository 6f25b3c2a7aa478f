namespace Switchboard.Core.Streams;

/// <summary>
/// Appending and closing (POST). The checks run in the protocol's order of precedence: a closed stream first (so the
/// client learns it is closed), then the content type, the body, the producer's numbers, then <c>Stream-Seq</c>; a
/// producer's duplicate is recognised before <c>Stream-Seq</c>, so its retry succeeds. A refused append changes nothing.
/// </summary>
internal sealed partial class StreamWriteProcessor
{
    private static StreamOutcome Append(StreamBatch batch, AppendStream append)
    {
        var row = Current(batch, append.Path);
        if (row is not { State: StreamLifecycle.Live })
        {
            return Missing(row, $"at '{append.Path}'");
        }

        var closeOnly = append.Body.IsEmpty;
        var state = append.Producer is { } p ? batch.Producer(new ProducerKey(row.Id, p.ProducerId)) : null;
        if (row.Closed)
        {
            return Closed(batch, row, append, state, closeOnly);
        }

        if (!closeOnly && !StreamContentType.SameType(append.ContentType ?? "", row.ContentType))
        {
            return new StreamOutcome(StreamStatus.Conflict, row,
                $"The stream's content type is {row.ContentType}; the append is {append.ContentType}. Send appends with the stream's content type.");
        }

        var payload = closeOnly ? StreamPayload.Empty : append.Body.As(row.ContentType, forAppend: true);
        if (payload.Problem is { } problem)
        {
            return new StreamOutcome(StreamStatus.Invalid, row, problem);
        }

        ProducerDecision? decision = null;
        if (append.Producer is { } producer)
        {
            decision = ProducerRules.Check(state, producer);
            if (Refused(row, decision.Value) is { } refused)
            {
                return refused;
            }
        }

        if (append.StreamSeq is { } seq && row.StreamSeq is { } last && string.CompareOrdinal(seq, last) <= 0)
        {
            return new StreamOutcome(StreamStatus.Conflict, row,
                $"Stream-Seq '{seq}' is not after the last one, '{last}' (compared byte by byte); sequence numbers must increase.");
        }

        if (payload.Length > 0 && row.Tail + payload.Length > StreamOffset.MaxPosition)
        {
            return new StreamOutcome(StreamStatus.Invalid, row, "The stream is full: its offsets cannot count more bytes.");
        }

        var appended = row with
        {
            Tail = row.Tail + payload.Length,
            StreamSeq = append.StreamSeq ?? row.StreamSeq,
            Closed = append.Close,
            ClosedBy = append.Close ? append.Producer : null,
            AccessedAt = batch.Now,
        };
        appended = batch.Put(appended with { DueAt = StreamExpiry.DueAt(appended) });
        if (payload.Length > 0)
        {
            batch.Append(new StreamChunk(row.Id, row.Tail, appended.Tail, payload.Bytes));
        }

        if (append.Producer is { } accepted)
        {
            batch.PutProducer(new ProducerRow(row.Id, accepted.ProducerId, decision!.Value.Epoch, decision.Value.Seq));
        }

        batch.Advanced(appended);
        return new StreamOutcome(StreamStatus.Appended, appended) { Producer = decision };
    }

    /// <summary>A closed stream takes nothing more; only a retry of the request that closed it, or another close-only request, succeeds.</summary>
    private static StreamOutcome Closed(StreamBatch batch, StreamRow row, AppendStream append, ProducerRow? state, bool closeOnly)
    {
        if (append.Producer is { } producer)
        {
            if (row.ClosedBy == producer)
            {
                return new StreamOutcome(StreamStatus.Duplicate, row) { Producer = ProducerDecision.Duplicate(producer.Epoch, state?.LastSeq ?? producer.Seq) };
            }

            if (state is not null && producer.Epoch < state.Epoch)
            {
                return new StreamOutcome(StreamStatus.StaleEpoch, row, $"Producer epoch {producer.Epoch} is older than this stream's {state.Epoch}: this producer was replaced.")
                {
                    Producer = ProducerDecision.Stale(state.Epoch),
                };
            }
        }

        if (closeOnly && append.Producer is null)
        {
            // Closing is idempotent; renewing the TTL is all it still does.
            var renewed = StreamExpiry.Renewed(row, batch.Now) is { } r ? batch.Put(r) : row;
            return new StreamOutcome(StreamStatus.AlreadyClosed, renewed);
        }

        return new StreamOutcome(StreamStatus.ClosedConflict, row, "The stream is closed; it takes no more appends.");
    }

    private static StreamOutcome? Refused(StreamRow row, ProducerDecision decision) => decision.Verdict switch
    {
        ProducerVerdict.Accept => null,
        ProducerVerdict.Duplicate => new StreamOutcome(StreamStatus.Duplicate, row) { Producer = decision },
        ProducerVerdict.StaleEpoch => new StreamOutcome(StreamStatus.StaleEpoch, row,
            $"This producer's epoch is older than the stream's current {decision.Epoch}: another instance replaced it.") { Producer = decision },
        ProducerVerdict.NewEpochNotAtZero => new StreamOutcome(StreamStatus.Invalid, row,
            $"A new epoch ({decision.Epoch}) must start at Producer-Seq 0; got {decision.Seq}.") { Producer = decision },
        _ => new StreamOutcome(StreamStatus.SequenceGap, row,
            $"Producer-Seq {decision.ReceivedSeq} skips ahead; the next expected is {decision.Seq}. Resend the requests in between first.") { Producer = decision },
    };
}

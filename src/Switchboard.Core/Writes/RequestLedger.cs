using Switchboard.Core.Events;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Writes;

/// <summary>
/// One kind of request in a write batch (<see cref="CommandLedger"/>, <see cref="ApprovalLedger"/>): its rows
/// (<see cref="Book"/>) and its rules. This base records a decision the same way for every kind: one event per
/// transition, the request stamped with the seq of the event that created it, the final version kept to write.
/// </summary>
internal abstract class RequestLedger<T> where T : class, ISessionRequest
{
    /// <summary>The batch's rows of this kind.</summary>
    public RequestBook<T> Book { get; } = new();

    /// <summary>The event type that creates a request of this kind (its row takes that event's seq).</summary>
    protected abstract string CreatedEvent { get; }

    /// <summary>The request as created by the event at <paramref name="seq"/>.</summary>
    protected abstract T Stamp(T created, long seq);

    /// <summary>The payload of the event of <paramref name="type"/> about <paramref name="request"/>.</summary>
    protected abstract byte[] EventData(string type, T request);

    /// <summary>Appends the decision's events (each with the next seq, at the batch's time) and keeps the request's final version to write; the last event.</summary>
    public EventRecord? Record(IRequestLog log, RequestDecision<T> decision, DateTimeOffset now)
    {
        EventRecord? last = null;
        foreach (var (type, after) in decision.Transitions)
        {
            var request = type == CreatedEvent ? Stamp(after, log.NextSeq) : after;
            last = log.Append(type, request.SessionId, now, EventData(type, request));
            Book.Changed(request);
        }

        return last;
    }

    /// <summary>The request the decision is about as the batch now holds it (stamped, when it was created).</summary>
    public T? Current(RequestDecision<T> decision) => decision.Request is { } r ? Book.Get(r.Id) ?? r : null;
}

using Switchboard.Core.Events;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Writes;

/// <summary>
/// What a <see cref="RequestLedger{T}"/> needs of the batch it serves, which owns the log (the seqs, the events) and the
/// session rows: a ledger decides its kind's writes and appends their events here, synchronously, inside the one write
/// transaction; it keeps no reference to the batch past the call.
/// </summary>
internal interface IRequestLog
{
    /// <summary>The session as the batch has it now (null: there is none).</summary>
    Session? Session(string id);

    /// <summary>The seq the next appended event takes.</summary>
    long NextSeq { get; }

    /// <summary>Appends an event about <paramref name="sessionId"/> with <see cref="NextSeq"/>, labelled as its session is.</summary>
    EventRecord Append(string type, string sessionId, DateTimeOffset at, byte[] data);

    /// <summary>
    /// Moves <paramref name="session"/> to <paramref name="state"/> as an update would, when the state machine allows it;
    /// the session after (unchanged when not allowed).
    /// </summary>
    Session Move(Session session, SessionState state, DateTimeOffset now);
}

using Switchboard.Core.Errors;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Tests;

/// <summary>
/// The machinery of requests to a session takes a new kind as a configuration (docs/architecture.md "Requests to a
/// session"): a question, declared here in a few lines, is created under the shared rules, stamped with the seq of the
/// event that made it, expires once, and is kept to be written in its final version.
/// </summary>
public sealed class RequestLedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    private sealed record Question(string Id, string SessionId, DateTimeOffset ExpiresAt, bool IsOpen = true, long AskedSeq = 0) : ISessionRequest;

    private sealed class QuestionLedger : RequestLedger<Question>
    {
        protected override string CreatedEvent => "question_asked";

        protected override Question Stamp(Question created, long seq) => created with { AskedSeq = seq };

        protected override byte[] EventData(string type, Question request) => System.Text.Encoding.UTF8.GetBytes($"{{\"id\":\"{request.Id}\"}}");
    }

    /// <summary>A log at seq 10 over one session, as a batch is to its ledgers.</summary>
    private sealed class Log(Session session) : IRequestLog
    {
        public List<EventRecord> Events { get; } = [];

        public long NextSeq => 11 + Events.Count;

        public Session? Session(string id) => id == session.Id ? session : null;

        public EventRecord Append(string type, string sessionId, DateTimeOffset at, byte[] data)
        {
            var appended = new EventRecord(NextSeq, type, sessionId, at, data);
            Events.Add(appended);
            return appended;
        }

        public Session Move(Session moving, SessionState state, DateTimeOffset now) => moving with { State = state };
    }

    private static Session Working(SessionState state = SessionState.Working) => new() { Id = "s1", State = state };

    [Fact]
    public void ANewKindIsStampedByItsCreatingEventExpiresOnceAndIsWrittenInItsFinalVersion()
    {
        var log = new Log(Working());
        var ledger = new QuestionLedger();
        RequestWriteProcessor.RefusesCreate(log.Session("s1"), "s1", "it takes no questions.", null, open: 0, max: 1, _ => null!, out _).ShouldBeFalse();

        var asked = ledger.Record(log, RequestDecision<Question>.Moved(new Question("q1", "s1", T0.AddSeconds(30)), "question_asked"), T0);
        asked!.Seq.ShouldBe(11);
        ledger.Book.Get("q1")!.AskedSeq.ShouldBe(11, "the creating event's seq is the request's");

        var early = RequestWriteProcessor.Expire(ledger.Book.Get("q1"), T0.AddSeconds(29), q => q with { IsOpen = false }, "question_expired");
        early.Transitions.ShouldBeEmpty("nothing expires before its expiry");
        var due = RequestWriteProcessor.Expire(ledger.Book.Get("q1"), T0.AddSeconds(30), q => q with { IsOpen = false }, "question_expired");
        ledger.Record(log, due, T0.AddSeconds(30))!.Type.ShouldBe("question_expired");
        RequestWriteProcessor.Expire(ledger.Book.Get("q1"), T0.AddSeconds(31), q => q with { IsOpen = false }, "question_expired").Transitions
            .ShouldBeEmpty("a request expires once");

        log.Events.Select(e => (e.Seq, e.Type)).ShouldBe([(11L, "question_asked"), (12L, "question_expired")]);
        var written = ledger.Book.Dirty.ShouldHaveSingleItem();
        written.IsOpen.ShouldBeFalse();
        written.AskedSeq.ShouldBe(11, "later transitions keep the stamp");
    }

    [Fact]
    public void CreationIsRefusedForAMissingSessionThenAnEndingOneThenByTheKindsRuleThenAtTheCap()
    {
        static SwitchboardError? Refusal(Session? session, Func<Session, SwitchboardError?>? rule, int open) =>
            RequestWriteProcessor.RefusesCreate(session, "s1", "it takes no questions.", rule, open, max: 2,
                s => new SwitchboardError(ErrorKind.TooMany, "too_many_questions", $"{s.Id} is at its cap"), out var refusal) ? refusal : null;

        var unsupported = new SwitchboardError(ErrorKind.Conflict, "questions_not_supported", "no");
        Refusal(null, _ => unsupported, open: 5)!.Code.ShouldBe("session_not_found");
        var ending = Refusal(Working(SessionState.Terminating), _ => unsupported, open: 5)!;
        ending.Code.ShouldBe("session_ending");
        ending.Detail.ShouldBe("Session 's1' is terminating; it takes no questions.");
        Refusal(Working(), _ => unsupported, open: 5)!.Code.ShouldBe("questions_not_supported");
        Refusal(Working(), null, open: 2)!.Code.ShouldBe("too_many_questions");
        Refusal(Working(), null, open: 1).ShouldBeNull();
    }
}

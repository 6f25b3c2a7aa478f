using Switchboard.Core.Sessions;

namespace Switchboard.Core.Tests;

public sealed class SessionStateMachineTests
{
    private static readonly SessionState[] Free = [SessionState.Idle, SessionState.Working, SessionState.Waiting, SessionState.Paused, SessionState.Error];

    /// <summary>
    /// The transition table, written out independently of the implementation: the free states (idle, working, waiting,
    /// paused, error) move among themselves and to terminating or terminated; initializing goes anywhere but back; terminating
    /// only to terminated; terminated nowhere.
    /// </summary>
    public static TheoryData<SessionState, SessionState, bool> Table()
    {
        var data = new TheoryData<SessionState, SessionState, bool>();
        foreach (var from in SessionStates.All)
        {
            foreach (var to in SessionStates.All)
            {
                bool allowed;
                if (from == to)
                {
                    allowed = true; // not a transition
                }
                else if (from == SessionState.Terminated)
                {
                    allowed = false;
                }
                else if (from == SessionState.Terminating)
                {
                    allowed = to == SessionState.Terminated;
                }
                else if (to == SessionState.Initializing)
                {
                    allowed = false;
                }
                else if (from == SessionState.Initializing)
                {
                    allowed = true;
                }
                else
                {
                    allowed = Free.Contains(from) && (Free.Contains(to) || to is SessionState.Terminating or SessionState.Terminated);
                }

                data.Add(from, to, allowed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void TransitionFollowsTheTable(SessionState from, SessionState to, bool allowed) =>
        SessionStateMachine.IsAllowed(from, to).ShouldBe(allowed);

    [Fact]
    public void TerminatedIsFinal() =>
        SessionStates.All.Where(s => s != SessionState.Terminated).ShouldAllBe(s => !SessionStateMachine.IsAllowed(SessionState.Terminated, s));

    [Fact]
    public void SessionsCannotBeCreatedTerminatingOrTerminated()
    {
        SessionStateMachine.IsValidInitial(SessionState.Terminating).ShouldBeFalse();
        SessionStateMachine.IsValidInitial(SessionState.Terminated).ShouldBeFalse();
        SessionStateMachine.IsValidInitial(SessionState.Working).ShouldBeTrue();
    }

    [Fact]
    public void WaitingMovesFreelyToAndFromTheOtherLiveStatesAndMayEnd()
    {
        foreach (var other in new[] { SessionState.Idle, SessionState.Working, SessionState.Paused, SessionState.Error })
        {
            SessionStateMachine.IsAllowed(SessionState.Waiting, other).ShouldBeTrue($"waiting → {other}");
            SessionStateMachine.IsAllowed(other, SessionState.Waiting).ShouldBeTrue($"{other} → waiting");
        }

        SessionStateMachine.IsAllowed(SessionState.Initializing, SessionState.Waiting).ShouldBeTrue();
        SessionStateMachine.IsAllowed(SessionState.Waiting, SessionState.Terminating).ShouldBeTrue();
        SessionStateMachine.IsAllowed(SessionState.Waiting, SessionState.Terminated).ShouldBeTrue();
        SessionStateMachine.IsAllowed(SessionState.Waiting, SessionState.Initializing).ShouldBeFalse();
        SessionStateMachine.IsAllowed(SessionState.Terminating, SessionState.Waiting).ShouldBeFalse();
        SessionStateMachine.IsAllowed(SessionState.Terminated, SessionState.Waiting).ShouldBeFalse();
        SessionStateMachine.IsValidInitial(SessionState.Waiting).ShouldBeTrue();
        SessionState.Waiting.IsActive().ShouldBeTrue();
    }

    /// <summary>
    /// States are numbered by position in code (the summary's counts, the clients' enums), so a new state goes at the
    /// end: every state keeps the number and the wire name it shipped with.
    /// </summary>
    [Fact]
    public void ANewStateIsAddedAtTheEndSoNoNumberMoves()
    {
        string[] shipped = ["initializing", "idle", "working", "paused", "error", "terminating", "terminated", "waiting"];
        SessionWire.StateNames.Take(shipped.Length).ShouldBe(shipped);
        SessionStates.All.Select(s => (int)s).ShouldBe(Enumerable.Range(0, SessionWire.StateNames.Length));
        SessionStates.All.Select(s => s.ToWire()).ShouldBe(SessionWire.StateNames);
        ((int)SessionState.Terminated, (int)SessionState.Waiting).ShouldBe((6, 7));
    }

    [Theory]
    [InlineData("working", SessionState.Working)]
    [InlineData("terminating", SessionState.Terminating)]
    [InlineData("waiting", SessionState.Waiting)]
    public void WireNamesRoundTrip(string wire, SessionState state)
    {
        SessionStates.TryParse(wire, out var parsed).ShouldBeTrue();
        parsed.ShouldBe(state);
        state.ToWire().ShouldBe(wire);
    }

    [Theory]
    [InlineData("Working")]
    [InlineData("running")]
    [InlineData("")]
    [InlineData(null)]
    public void UnknownStateNamesAreRejected(string? wire) => SessionStates.TryParse(wire, out _).ShouldBeFalse();
}

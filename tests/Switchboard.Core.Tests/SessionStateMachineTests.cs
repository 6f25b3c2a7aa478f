using Switchboard.Sessions;

namespace Switchboard.Core.Tests;

public sealed class SessionStateMachineTests
{
    private static readonly SessionState[] Free = [SessionState.Idle, SessionState.Working, SessionState.Paused, SessionState.Error];

    /// <summary>
    /// The transition table, written out independently of the implementation: the free states (idle, working, paused,
    /// error) move among themselves and to terminating or terminated; initializing goes anywhere but back; terminating
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

    [Theory]
    [InlineData("working", SessionState.Working)]
    [InlineData("terminating", SessionState.Terminating)]
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

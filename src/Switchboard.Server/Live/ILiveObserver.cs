using Switchboard.Events;
using Switchboard.Sessions;

namespace Switchboard.Live;

/// <summary>
/// Follows the live loop's view of the log (the alert evaluator). Both methods are called on the loop: they must only
/// post to the observer's own inbox, never block and never call back into the hub.
/// </summary>
internal interface ILiveObserver
{
    /// <summary>The loop applied <paramref name="e"/>; <paramref name="after"/> is its session after it while still active.</summary>
    void OnApplied(EventRecord e, Session? after);

    /// <summary>The loop rebuilt its state from the store; events may have been skipped: attach again for a fresh start.</summary>
    void OnReset();
}

/// <summary>The state an observer starts from: everything up to and including <see cref="HeadSeq"/>.</summary>
internal sealed record ObservedState(long HeadSeq, IReadOnlyList<Session> ActiveSessions, IReadOnlyList<Alerts.Alert> OpenAlerts);

using Switchboard.Core.Sessions;
using Switchboard.Core.Trees;

namespace Switchboard.Core.Writes;

internal static partial class SessionTransitions
{
    /// <summary>The reason a session ends with when its hook gives none.</summary>
    public const string HookEndedReason = "ended";

    /// <summary>
    /// A hook event: the session created on first sight with <c>accepts_commands</c> true (an event that ends a session
    /// nobody has seen creates none), else its state, its activity, and <c>accepts_commands</c> turned true. A state the
    /// state machine does not allow from the current one is left as it is (an agent's hooks are never refused for it).
    /// </summary>
    private static WriteDecision Hook(ApplyHook h, Session? current, in WriteContext ctx)
    {
        if (current?.State == SessionState.Terminated || (current is null && h.Signal == HookSignal.End))
        {
            return WriteDecision.Unchanged(current);
        }

        SessionState? said = h.Signal switch
        {
            HookSignal.Started or HookSignal.Idle => SessionState.Idle,
            HookSignal.Working => SessionState.Working,
            HookSignal.Waiting => SessionState.Waiting,
            HookSignal.End when !h.EndsLater => SessionState.Terminated,
            _ => null,
        };
        if (current is null)
        {
            var parent = ctx.Parent is { State: not SessionState.Terminated } p && p.Id == h.ParentId && p.Depth < h.MaxTreeDepth && TreePath.Fits(p, h.SessionId)
                ? p
                : null;
            return Create(new CreateSession
            {
                Id = h.SessionId,
                ParentId = parent?.Id,
                MaxTreeDepth = h.MaxTreeDepth,
                Name = h.Name,
                State = said ?? SessionState.Working,
                Labels = h.Labels,
                Activity = h.Activity.HasValue ? h.Activity.Value : null,
                AcceptsCommands = true,
                Continues = h.Continues,
                UsageFrom = h.UsageFrom,
            }, null, ctx with { Parent = parent });
        }

        // Paused by a command (handed over in a hook's answer) until a resume: the hooks' own states wait until then.
        var state = said is { } s && SessionStateMachine.IsAllowed(current.State, s) && (current.State != SessionState.Paused || s == SessionState.Terminated)
            ? s
            : current.State;
        var next = current with
        {
            State = state,
            AcceptsCommands = true, // the one change it may make: hooks read answers, so commands can reach the agent now
            Activity = state is SessionState.Working or SessionState.Waiting && !h.EndsLater ? (h.Activity.HasValue ? h.Activity.Value : current.Activity) : null,
            ErrorMessage = state == SessionState.Error ? current.ErrorMessage : null,
        };
        return state == SessionState.Terminated
            ? Finish(current, next, h.Reason ?? HookEndedReason, ctx)
            : Changed(current, next, reason: null, ctx);
    }
}

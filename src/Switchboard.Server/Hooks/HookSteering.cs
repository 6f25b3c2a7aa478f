using Switchboard.Core.Commands;
using Switchboard.Core.Sessions;
using Switchboard.Server.Live;

namespace Switchboard.Server.Hooks;

/// <summary>
/// What the commands handed over in one hook's answer do (docs/hooks.md, "Commands through hook answers"): a cancel
/// stops the agent (and wins), messages reach the model, a pause holds the agent before its next tool until a resume.
/// Every command the answer carries is acknowledged <c>done</c> on the agent's behalf; one it cannot carry now (a message
/// beside a cancel) is left delivered, and handed over again after its visibility timeout.
/// </summary>
internal sealed record HookSteering(HookAgent Agent, string HookEvent, string SessionId, LabelFilter? Scope)
{
    public async Task<string> ActAsync(IReadOnlyList<Command> handed, SessionState state, HookReceiver receiver, CancellationToken cancellationToken,
        bool holding = false)
    {
        var cancel = handed.FirstOrDefault(c => c.Type == CommandType.Cancel);
        if (cancel is not null)
        {
            // The run stops: idle until the next prompt (or SessionEnd, which a run in -p mode sends next).
            await receiver.SettleAsync(this, [cancel], SessionState.Idle, cancellationToken);
            return HookAnswers.For(Agent, HookEvent, cancel, []);
        }

        var messages = handed.Where(c => c.Type == CommandType.Message).ToList();
        // Pause and resume in the order issued: the last one decides.
        var last = handed.LastOrDefault(c => c.Type is CommandType.Pause or CommandType.Resume);
        SessionState? to = last?.Type switch
        {
            CommandType.Pause => SessionState.Paused,
            CommandType.Resume when state == SessionState.Paused => SessionState.Working,
            _ => null,
        };
        await receiver.SettleAsync(this, [.. handed.Where(c => c.Type != CommandType.Cancel)], to, cancellationToken);
        var answer = HookAnswers.For(Agent, HookEvent, null, messages);
        if (!holding && (to ?? state) == SessionState.Paused && HookAnswers.IsBeforeTool(Agent, HookEvent))
        {
            var released = await receiver.HoldAsync(this, cancellationToken);
            return released != HookAnswers.None ? released : answer;
        }

        return answer;
    }
}

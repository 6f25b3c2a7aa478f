using Microsoft.Extensions.Logging;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Hooks.Options;
using Switchboard.Server.Ingest;
using Switchboard.Server.Options;
using Switchboard.Server.Otlp;
using Switchboard.Server.Security;

namespace Switchboard.Server.Hooks;

/// <summary>What one hook event came to: why its write on the agent's session was refused (null: it was not), or the answer for the agent.</summary>
internal sealed record HookOutcome(Switchboard.Core.Errors.SwitchboardError? Refused, string Answer);

/// <summary>
/// The part every agent's receiver shares: turn one hook event into writes on its session (and a sub-agent's), commit
/// them through the same <see cref="WriteIntake"/> as the API, tell the quiet monitor the agent was heard from, and
/// answer in the agent's own format. An unavailable store or admission control throws (<see cref="StoreUnavailableException"/>).
/// </summary>
internal sealed class HookReceiver(WriteIntake writer, QuietMonitor quiet, Switchboard.Server.Commands.CommandWatch watch, Switchboard.Server.Approvals.ApprovalHolds approvals, TimeProvider time,
    SwitchboardOptions options, ILogger<HookReceiver> logger)
{
    /// <summary>The <c>source</c> label of a session its hooks created (its telemetry, arriving later, makes it <c>opentelemetry</c>).</summary>
    public const string SourceValue = Switchboard.Server.Otlp.Mapping.TelemetryMap.HookSourceValue;

    private int _operatorKeySeen;
    private readonly HoldPolicy _policy = new(options.Approvals);

    public async Task<HookOutcome> ReceiveAsync(HookAgent agent, HookEvent e, ApiKeyIdentity? key, CancellationToken cancellationToken)
    {
        if (key?.Role == ApiKeyRole.Operator && Interlocked.Exchange(ref _operatorKeySeen, 1) == 0)
        {
            HookLog.OperatorKey(logger, agent.Name(), key.Name); // once per node: the advice, not an alarm on every event
        }

        var writes = Writes(agent, e);
        // The agent's own end waits out the grace for the telemetry it exports as it exits (the quiet monitor ends it).
        var ending = writes[0] is ApplyHook { Signal: HookSignal.End } end && options.Hooks.EndGrace > TimeSpan.Zero ? end : null;
        if (ending is not null)
        {
            writes[0] = ending with { EndsLater = true };
        }

        // The answer carries the commands of the session the event belongs to (a sub-agent's own events: the sub-agent's),
        // those the event's answer can say, handed over in the same transaction as the event.
        var target = e.AgentId is not null && e.Name is not ("SubagentStart" or "SubagentStop") ? writes.Count - 1 : 0;
        if (HookAnswers.Carries(agent, e.Name) is { } carries)
        {
            writes[target] = writes[target] with { DeliversCommands = true, HandsOver = carries };
        }

        for (var i = 0; i < writes.Count; i++)
        {
            writes[i] = ScopedWrites.Within(writes[i], key?.Labels);
        }

        var results = await writer.WriteManyAsync(writes, cancellationToken);
        var now = time.GetUtcNow();
        var resumes = writes[^1] is ApplyHook { Signal: HookSignal.Started or HookSignal.Working or HookSignal.Waiting or HookSignal.Idle };
        quiet.Observed(results, now, resumes);
        if (ending is not null && results[0] is { Error: null, Session: { State: not SessionState.Terminated } session })
        {
            quiet.Ends(session, now, now + options.Hooks.EndGrace, ending.Reason ?? SessionTransitions.HookEndedReason);
        }

        if (results.Any(r => r.OutsideScope))
        {
            // Another team's agent does not exist for this key, and must not look as if it did: the agent hears what it
            // would for an id nobody has seen, an accepted event with nothing to say. Nothing was written, nothing is held.
            HookLog.OutsideScope(logger, agent.Name(), e.Name);
            return new HookOutcome(null, HookAnswers.None);
        }

        if (results[target] is not { Error: null, Session: { } current })
        {
            return new HookOutcome(results[0].Error, HookAnswers.None);
        }

        var steering = new HookSteering(agent, e.Name, current.Id, key?.Labels);
        var answer = await steering.ActAsync(results[target].Commands ?? [], current.State, this, cancellationToken);
        if (answer == HookAnswers.None && current.State != SessionState.Terminated && HookApprovals.Asks(agent, e, options.Hooks) && Holds(agent, e))
        {
            // A person decides (docs/approvals.md): the hook is held until an operator answers on any node, or the wait runs out.
            answer = await HoldForApprovalAsync(agent, e, current.Id, key, cancellationToken);
        }

        return new HookOutcome(results[0].Error, answer);
    }

    /// <summary>
    /// True when <see cref="HoldPolicy"/> holds a call that asks a person; else it is answered at once with no decision,
    /// and only the log says so (docs/approvals.md, "Which calls wait").
    /// </summary>
    private bool Holds(HookAgent agent, HookEvent e)
    {
        if (_policy.WhyNotHeld(e.ToolName!, e.ToolInput, e.Run) is not { } why)
        {
            return true;
        }

        HookLog.NotHeldByPolicy(logger, agent.Name(), e.Name, e.ToolName!, why);
        return false;
    }

    /// <summary>Acknowledges commands handed over in an answer as done, and sets the state they leave the session in.</summary>
    internal async Task SettleAsync(HookSteering steering, IReadOnlyList<Switchboard.Core.Commands.Command> done, SessionState? state, CancellationToken cancellationToken)
    {
        var writes = new List<SessionWrite>(done.Count + 1);
        foreach (var command in done)
        {
            writes.Add(new AcknowledgeCommand(steering.SessionId, command.Id, Switchboard.Core.Commands.CommandOutcome.Done,
                $"Handed to the agent in the answer to its {steering.HookEvent} hook."));
        }

        if (state is { } to)
        {
            writes.Add(new UpdateSession(steering.SessionId) { State = to });
        }

        if (writes.Count > 0)
        {
            await writer.WriteManyAsync([.. writes.Select(w => ScopedWrites.Within(w, steering.Scope))], cancellationToken);
        }
    }

    /// <summary>
    /// Holds a paused session's hook before a tool: waits (on the command watch, woken by command events from any node)
    /// for a resume or a cancel, at most <see cref="HooksOptions.ApprovalWait"/>; then answers with what it got, or with
    /// no decision (the agent follows its own rules, and the next tool is held again while the session stays paused).
    /// </summary>
    internal async Task<string> HoldAsync(HookSteering steering, CancellationToken cancellationToken)
    {
        using var waiter = watch.TryWatch(steering.SessionId, steering.Scope);
        if (waiter is null)
        {
            return HookAnswers.None; // this node holds all it may: let the agent go
        }

        var started = time.GetTimestamp();
        while (true)
        {
            waiter.Rearm();
            var beat = ScopedWrites.Within(new Heartbeat(steering.SessionId) { DeliversCommands = true, HandsOver = HookAnswers.WhilePaused }, steering.Scope);
            var result = await writer.WriteAsync(beat, cancellationToken);
            if (result is not { Error: null, Session: { } session })
            {
                return HookAnswers.None;
            }

            if (result.Commands is { Count: > 0 } handed)
            {
                return await steering.ActAsync(handed, session.State, this, cancellationToken, holding: true);
            }

            var remaining = options.Hooks.ApprovalWait - time.GetElapsedTime(started);
            if (session.State != SessionState.Paused || remaining <= TimeSpan.Zero || watch.IsStopping)
            {
                return HookAnswers.None;
            }

            await waiter.WaitAsync(remaining, cancellationToken);
        }
    }

    private async Task<string> HoldForApprovalAsync(HookAgent agent, HookEvent e, string sessionId, ApiKeyIdentity? key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var wait = options.Hooks.ApprovalWait;
        var input = HookInput.Mend(e.ToolInput);
        var request = new RequestApproval(Switchboard.Core.Approvals.Approval.NewId(now), sessionId, e.ToolName, HookApprovals.Summary(e.ToolName!, e.ToolInput), null,
            (int)Math.Ceiling(wait.TotalSeconds), "hook:" + agent.Name())
        {
            Context = HookApprovalContext.Of(agent, e, input),
            ResumeState = SessionState.Working,
            RequestedKey = key?.Name,
            ExpiresAfter = wait, // exact: expires_at is when the hold gives up, not the next whole second
        };
        var steering = new HookSteering(agent, e.Name, sessionId, key?.Labels);
        Switchboard.Core.Commands.Command? cancel = null;
        var approval = await approvals.HoldAsync(request, key?.Labels, wait, cancellationToken,
            async ct => (cancel = await TakeCancelAsync(steering, ct)) is not null);
        if (cancel is not null)
        {
            HookLog.ApprovalCancelled(logger, approval?.Id ?? request.Id, sessionId, cancel.Id);
            return HookAnswers.For(agent, e.Name, cancel, []);
        }

        if (approval is { State: Switchboard.Core.Approvals.ApprovalState.Withdrawn, Reason: not Switchboard.Core.Approvals.ApprovalEndReasons.NotHeld } withdrawn)
        {
            HookLog.ApprovalWithdrawn(logger, withdrawn.Id, sessionId, withdrawn.Reason ?? Switchboard.Core.Approvals.ApprovalEndReasons.AgentGone);
        }
        else if (approval is null || approval.Reason == Switchboard.Core.Approvals.ApprovalEndReasons.NotHeld)
        {
            HookLog.ApprovalNotHeld(logger, agent.Name(), watch.IsStopping ? "the node is stopping"
                : "the approval was not raised (the session is ending, or has Switchboard:Approvals:MaxPendingPerSession pending), " +
                "or this node already holds all the waits it may, or those its key's scope may hold (Switchboard:Commands:MaxWaiters)");
        }

        return HookApprovals.Answer(agent, e.Name, approval, options.Hooks.ApprovalExpired, input);
    }

    /// <summary>
    /// A cancel issued for the session while its hook is held for an approval: handed over (the hook's answer carries it),
    /// acknowledged done and the session idle, like a cancel at any hook. Null when none is due.
    /// </summary>
    private async Task<Switchboard.Core.Commands.Command?> TakeCancelAsync(HookSteering steering, CancellationToken cancellationToken)
    {
        var beat = ScopedWrites.Within(new Heartbeat(steering.SessionId) { DeliversCommands = true, HandsOver = HookAnswers.CancelOnly }, steering.Scope);
        var result = await writer.WriteAsync(beat, cancellationToken);
        if (result.Commands?.FirstOrDefault(c => c.Type == Switchboard.Core.Commands.CommandType.Cancel) is not { } cancel)
        {
            return null;
        }

        await SettleAsync(steering, [cancel], SessionState.Idle, cancellationToken);
        return cancel;
    }

    /// <summary>The writes an event makes: one on the session it belongs to, and for a sub-agent's start or stop one on the sub-agent's.</summary>
    private List<SessionWrite> Writes(HookAgent agent, HookEvent e)
    {
        var parentId = e.AgentSessionId;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Switchboard.Server.Otlp.Mapping.TelemetryMap.SourceLabel] = SourceValue,
            ["service"] = agent.Name(),
        };
        if (e.Host is { } host)
        {
            labels[ApplyHook.HostLabel] = host; // where its terminal is, said by the installed hook (docs/hooks.md)
        }

        var own = new ApplyHook(parentId)
        {
            Name = e.SessionName(agent),
            Labels = labels,
            MaxTreeDepth = options.Sessions.MaxTreeDepth,
        };
        if (e.AgentId is not { } agentId)
        {
            return [Apply(own, HookStates.Of(agent, e), e)];
        }

        // A sub-agent: a child session of its own, created under the agent's on first sight, ended by SubagentStop. Its
        // usage stays on the parent (Claude Code reports it under the parent's session.id).
        var childLabels = e.AgentType is { } type ? new Dictionary<string, string>(labels, StringComparer.Ordinal) { ["agent"] = type } : labels;
        var child = new ApplyHook(e.SubAgentSessionId(agentId))
        {
            ParentId = parentId,
            Name = e.AgentType is { } t ? $"{t} ({agentId})" : agentId,
            Labels = childLabels,
            MaxTreeDepth = options.Sessions.MaxTreeDepth,
        };
        switch (e.Name)
        {
            case "SubagentStart":
                return [own, child with { Signal = HookSignal.Working, Activity = new Optional<string?>(null) }];
            case "SubagentStop":
                return [own, child with { Signal = HookSignal.End, Reason = "completed" }];
            default:
                return [own, Apply(child, HookStates.Of(agent, e), e)];
        }
    }

    private ApplyHook Apply(ApplyHook write, HookMeaning meaning, HookEvent e) => write with
    {
        Signal = meaning.Signal,
        Activity = HookStates.Activity(meaning, e, options.Hooks.Activity),
        Reason = e.Reason,
        AsksInTerminal = meaning.AsksInTerminal,
        Folder = e.Cwd,
    };
}

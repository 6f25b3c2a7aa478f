using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Hooks;

/// <summary>Coding agents' hooks and the approvals they and producers ask for (<see cref="LogEventIds.Hooks"/>).</summary>
internal static partial class HookLog
{
    [LoggerMessage(LogEventIds.Hooks + 0, LogLevel.Debug, "A {Agent} hook request was refused: {Reason}", EventName = "Hooks.Refused")]
    public static partial void Refused(ILogger logger, string agent, string reason);

    [LoggerMessage(LogEventIds.Hooks + 1, LogLevel.Warning, "Expiring approvals failed; the next check retries", EventName = "Hooks.ApprovalExpiryFailed")]
    public static partial void ApprovalExpiryFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogEventIds.Hooks + 2, LogLevel.Information, "Approval {ApprovalId} of session {SessionId} expired before anyone answered",
        EventName = "Hooks.ApprovalExpired")]
    public static partial void ApprovalExpired(ILogger logger, string approvalId, string sessionId);

    // Debug: a full node already logged Commands.WaitersFull once, and a refused write is the request's own matter.
    [LoggerMessage(LogEventIds.Hooks + 3, LogLevel.Debug, "A {Agent} hook's approval was not held ({Reason}); the agent follows its own rules",
        EventName = "Hooks.ApprovalNotHeld")]
    public static partial void ApprovalNotHeld(ILogger logger, string agent, string reason);

    // Debug: what the operator configured, once per call; a CI fleet's every permission request would flood a higher level.
    [LoggerMessage(LogEventIds.Hooks + 90, LogLevel.Debug,
        "A {Agent} {HookEvent} hook for {Tool} was not held: {Reason}; it was answered at once with no decision, and the agent follows its own rules",
        EventName = "Hooks.NotHeldByPolicy")]
    public static partial void NotHeldByPolicy(ILogger logger, string agent, string hookEvent, string tool, string reason);

    [LoggerMessage(LogEventIds.Hooks + 80, LogLevel.Information,
        "Cancel {CommandId} reached the hook held for approval {ApprovalId} of session {SessionId}: the approval was withdrawn and the agent told to stop",
        EventName = "Hooks.ApprovalCancelled")]
    public static partial void ApprovalCancelled(ILogger logger, string approvalId, string sessionId, string commandId);

    [LoggerMessage(LogEventIds.Hooks + 81, LogLevel.Information,
        "Approval {ApprovalId} of session {SessionId} was withdrawn ({Reason}); its hook is answered with no decision and an answer to it is refused",
        EventName = "Hooks.ApprovalWithdrawn")]
    public static partial void ApprovalWithdrawn(ILogger logger, string approvalId, string sessionId, string reason);

    [LoggerMessage(LogEventIds.Hooks + 82, LogLevel.Warning,
        "Approval {ApprovalId} of session {SessionId} was withdrawn: node {Node}, which held its hook, is gone (the hook failed with it)",
        EventName = "Hooks.ApprovalHolderGone")]
    public static partial void ApprovalHolderGone(ILogger logger, string approvalId, string sessionId, string node);

    // Debug: the answer to a key's own mistake (or probe), not an operator's problem; a higher level would let one tenant fill the log.
    [LoggerMessage(LogEventIds.Hooks + 40, LogLevel.Debug,
        "A {Agent} {HookEvent} hook for a session outside its key's labels scope was dropped and answered as an event with nothing to say",
        EventName = "Hooks.OutsideScope")]
    public static partial void OutsideScope(ILogger logger, string agent, string hookEvent);

    [LoggerMessage(LogEventIds.Hooks + 70, LogLevel.Warning,
        "{Agent} hooks arrive with the operator key {Key}, which can also answer approvals and issue commands: an agent holding it can approve its own " +
        "requests. Give agents an agent key instead: list it as `@name <key>:agent` in SWITCHBOARD_API_KEYS (`switchboard keys new --agent` makes one). " +
        "Logged once", EventName = "Hooks.OperatorKey")]
    public static partial void OperatorKey(ILogger logger, string agent, string key);
}

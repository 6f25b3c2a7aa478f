using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Security;

/// <summary>Security log messages (<see cref="LogEventIds.Security"/>). Keys and tokens are never logged, only counts and fingerprints.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(LogEventIds.Security + 0, LogLevel.Information, "Auth is off: no API keys configured; anyone who can reach this node may read and write", EventName = "Security.AuthOff")]
    public static partial void AuthOff(ILogger logger);

    [LoggerMessage(LogEventIds.Security + 1, LogLevel.Information, "Auth is on: {OperatorKeys} operator, {AgentKeys} agent and {ReadKeys} read API keys; subscriber tokens signed with the secret from {SecretSource}", EventName = "Security.AuthOn")]
    public static partial void AuthOn(ILogger logger, int operatorKeys, int agentKeys, int readKeys, string secretSource);

    [LoggerMessage(EventId = LogEventIds.Security + 2, Message = "Generated a token signing secret in {Path}. Nodes that share a database must all use one secret: set SWITCHBOARD_TOKEN_SECRET on each", EventName = "Security.SecretGenerated")]
    public static partial void SecretGenerated(ILogger logger, LogLevel level, string path);

    [LoggerMessage(LogEventIds.Security + 3, LogLevel.Critical, "Refusing to run: {Problem}", EventName = "Security.Exposed")]
    public static partial void Exposed(ILogger logger, string problem);

    [LoggerMessage(LogEventIds.Security + 4, LogLevel.Warning, "Listening on {Addresses} with auth off (--insecure): anyone who can reach this node may read and write", EventName = "Security.Insecure")]
    public static partial void Insecure(ILogger logger, string addresses);

    [LoggerMessage(LogEventIds.Security + 5, LogLevel.Information, "API keys reloaded from configuration: {Keys}", EventName = "Security.KeysReloaded")]
    public static partial void KeysReloaded(ILogger logger, string keys);

    [LoggerMessage(LogEventIds.Security + 6, LogLevel.Warning, "API keys in configuration changed but were not applied, the current keys stay: {Reason}", EventName = "Security.KeysNotReloaded")]
    public static partial void KeysNotReloaded(ILogger logger, string reason);

    // A key answering what it asked for is what a prompt-injected agent holding an operator key would do: worth a look.
    [LoggerMessage(LogEventIds.Security + 70, LogLevel.Warning,
        "The API key {Key} tried to answer approval {ApprovalId} of session {SessionId}, which it asked for; refused (Switchboard:Approvals:AllowSelfAnswer is off)",
        EventName = "Security.SelfAnswerRefused")]
    public static partial void SelfAnswerRefused(ILogger logger, string key, string approvalId, string sessionId);
}

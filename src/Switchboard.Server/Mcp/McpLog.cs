using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Mcp;

/// <summary>The MCP server (<see cref="LogEventIds.Mcp"/>).</summary>
internal static partial class McpLog
{
    [LoggerMessage(LogEventIds.Mcp + 0, LogLevel.Debug, "MCP updates follow the live log from seq {Seq}", EventName = "Mcp.UpdatesStarted")]
    public static partial void UpdatesStarted(ILogger logger, long seq);

    [LoggerMessage(LogEventIds.Mcp + 1, LogLevel.Information, "MCP tool {Tool} answered {Code} for key {Key}: {Detail}", EventName = "Mcp.ToolRefused")]
    public static partial void ToolRefused(ILogger logger, string tool, string code, string key, string detail);

    [LoggerMessage(LogEventIds.Mcp + 2, LogLevel.Debug, "A resource update could not be sent to MCP session {SessionId}; its later updates are still tried",
        EventName = "Mcp.NotifyFailed")]
    public static partial void NotifyFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(LogEventIds.Mcp + 3, LogLevel.Warning, "{Max} MCP waits already wait on this node; wait_for is refused until some end", EventName = "Mcp.WaitersFull")]
    public static partial void WaitersFull(ILogger logger, int max);

    [LoggerMessage(LogEventIds.Mcp + 4, LogLevel.Information, "MCP answer to approval {ApprovalId} of session {SessionId} by {Caller}: {Decision}",
        EventName = "Mcp.ApprovalAnswered")]
    public static partial void ApprovalAnswered(ILogger logger, string approvalId, string sessionId, string caller, string decision);

    [LoggerMessage(LogEventIds.Mcp + 5, LogLevel.Information, "MCP command {CommandId} ({Type}) to session {SessionId} by {Caller}", EventName = "Mcp.CommandSent")]
    public static partial void CommandSent(ILogger logger, string commandId, string type, string sessionId, string caller);
}

using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using Switchboard.Core.Commands;
using Switchboard.Core.Writes;
using Switchboard.Server.Options;

namespace Switchboard.Server.Mcp;

/// <summary>
/// <c>send_command</c>: issues a command to a session's producer as <c>POST /api/sessions/{id}/commands</c> does, checked by
/// the same validator and written through the same pipeline; an operator's, recorded as <c>mcp:&lt;key name&gt;</c>.
/// </summary>
internal sealed class CommandTools(SessionTools sessions, McpWrites writes, TimeProvider time, ILogger<CommandTools> logger)
{
    public IEnumerable<McpTool> Tools()
    {
        yield return new McpTool("send_command",
            "Sends a command to a session's agent: cancel stops its work, pause holds it before its next tool call, resume lets a paused " +
            "one go on, message gives it text to read. The agent picks it up on its next hook or poll and acknowledges it. Needs an operator key.",
            $$$"""
            {"type": "object", "additionalProperties": false, "required": ["session_id", "type"], "properties": {
              "session_id": {"type": "string", "maxLength": 256, "description": "The session to steer."},
              "type": {"type": "string", "enum": ["cancel", "pause", "resume", "message"], "description": "What the agent should do."},
              "text": {"type": "string", "maxLength": {{{CommandLimits.MaxTextLength}}}, "description": "For message: what the agent reads; for the others, an optional reason."},
              "expires_in_seconds": {"type": "integer", "minimum": {{{CommandLimits.MinExpirySeconds}}}, "maximum": {{{CommandLimits.MaxExpirySeconds}}},
                "default": {{{CommandLimits.DefaultExpirySeconds}}}, "description": "Withdrawn if the agent has not acknowledged it by then."}}
            }
            """, ApiKeyRole.Operator, SendAsync);
    }

    private async Task<CallToolResult> SendAsync(McpCall call, CancellationToken ct)
    {
        var a = call.Args;
        var id = a.String("session_id", 256, required: true)!;
        CommandWire.TryParseType(a.OneOf("type", ["cancel", "pause", "resume", "message"], required: true), out var type);
        var text = a.String("text", CommandLimits.MaxTextLength);
        var expires = a.Int("expires_in_seconds", CommandLimits.MinExpirySeconds, CommandLimits.MaxExpirySeconds, CommandLimits.DefaultExpirySeconds);
        if (CommandValidator.Issue(type, text, null, expires) is { } invalid)
        {
            throw a.Invalid(invalid.Detail);
        }

        if (await sessions.VisibleAsync(id, call.Caller.Scope, ct) is null)
        {
            throw SessionTools.NotFound(id);
        }

        var issue = new IssueCommand(Command.NewId(time.GetUtcNow()), id, type, text, null, expires, call.Caller.RecordedAs);
        var result = await writes.WriteAsync(issue, call.Caller, ct);
        McpLog.CommandSent(logger, issue.Id, type.ToWire(), id, call.Caller.RecordedAs);
        return McpJson.Result(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("command");
            CommandJson.Write(w, result.Command!);
            w.WriteEndObject();
        });
    }
}

using System.Text.Json;
using Switchboard.Core.Sessions;
using Switchboard.Server.Otlp.Mapping;

namespace Switchboard.Server.Hooks;

/// <summary>
/// What Switchboard reads of one hook event: the names that say what happened and where, never the prompt, the
/// response or a tool's output (docs/security.md); a tool's input is kept only in the approval it asks (docs/approvals.md). Every string is decoded leniently (<see cref="HookText"/>: invalid
/// UTF-8 replaced), mended as telemetry is (<see cref="TelemetryText"/>: NUL dropped, lone surrogates replaced) and
/// clipped, so no value of an agent's can fail the request or a write.
/// </summary>
internal sealed record HookEvent
{
    private const int MaxText = 1024;

    public required string Name { get; init; }

    /// <summary>The agent's <c>session_id</c>.</summary>
    public required string SessionId { get; init; }

    /// <summary>A Claude Code sub-agent's <c>agent_id</c>: the event belongs to that sub-agent (or, for <c>SubagentStart</c>/<c>Stop</c>, is about it).</summary>
    public string? AgentId { get; init; }

    public string? AgentType { get; init; }

    public string? ToolName { get; init; }

    /// <summary>The tool's input: read for the activity line, and kept (bounded) only in the approval a held event raises.</summary>
    public JsonElement ToolInput { get; init; }

    /// <summary>Claude Code's <c>PermissionRequest</c>: the rules it offers to remember with an allow (<c>permission_suggestions</c>).</summary>
    public JsonElement PermissionSuggestions { get; init; }

    public string? Reason { get; init; }

    public string? NotificationType { get; init; }

    public string? Cwd { get; init; }

    /// <summary><c>Stop</c>/<c>AfterAgent</c>: this turn already goes on because a hook blocked its end.</summary>
    public bool StopHookActive { get; init; }

    /// <summary>Whether a person sits at the agent, from the headers the installed hook sends (<see cref="HookRuns"/>).</summary>
    public HookRun Run { get; init; }

    /// <summary>Reads an event; null with <paramref name="problem"/> set when it names no event or no session.</summary>
    public static HookEvent? Read(JsonElement root, out string? problem)
    {
        problem = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = "The body must be the hook's JSON object, as the agent sends it.";
            return null;
        }

        var name = Text(root, "hook_event_name");
        var session = Text(root, "session_id");
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(session))
        {
            problem = "The hook event has no 'hook_event_name' or no 'session_id'. Point only the agent's own hooks at this endpoint (switchboard hooks install).";
            return null;
        }

        return new HookEvent
        {
            Name = name,
            SessionId = session,
            AgentId = Text(root, "agent_id"),
            AgentType = Text(root, "agent_type"),
            ToolName = Text(root, "tool_name"),
            ToolInput = root.TryGetProperty("tool_input", out var input) ? input : default,
            PermissionSuggestions = root.TryGetProperty("permission_suggestions", out var offered) ? offered : default,
            Reason = Text(root, "reason"),
            NotificationType = Text(root, "notification_type"),
            Cwd = Text(root, "cwd"),
            StopHookActive = root.TryGetProperty("stop_hook_active", out var active) && active.ValueKind == JsonValueKind.True,
        };
    }

    /// <summary>A string property, mended and clipped; null when absent, empty or not a string.</summary>
    public static string? Text(JsonElement element, string name, int max = MaxText) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && TelemetryText.Clean(HookText.Decode(value), max) is { Length: > 0 } text
            ? text
            : null;

    /// <summary>The session of the agent that sent the event: the same id its OpenTelemetry gets (docs/otel.md).</summary>
    public string AgentSessionId => SessionIdentity.FromSessionId(SessionId);

    /// <summary>The session of a Claude Code sub-agent of this agent.</summary>
    public string SubAgentSessionId(string agentId) => SessionIdentity.FromSessionId(SessionId + ":a:" + agentId);

    /// <summary>The name given to a session the event creates: the agent, and the folder it works in.</summary>
    public string SessionName(HookAgent agent)
    {
        var folder = Cwd is null ? null : Path.GetFileName(Cwd.TrimEnd('/', '\\'));
        var name = string.IsNullOrEmpty(folder) ? agent.Name() : $"{agent.Name()} in {folder}";
        return name.Length <= SessionLimits.MaxNameLength ? name : name[..SessionLimits.MaxNameLength];
    }
}

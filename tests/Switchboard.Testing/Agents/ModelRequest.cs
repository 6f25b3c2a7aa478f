using System.Text.Json.Nodes;

namespace Switchboard.Testing.Agents;

/// <summary>
/// One request the fake model API received, as it came: the agent's conversation so far is in the body, so a test can
/// check what reached the model (an operator's message, a hook's context, a denial reason).
/// </summary>
public sealed record ModelRequest(
    string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, JsonNode? Json, ModelRequestKind Kind)
{
    /// <summary>Whether the raw body holds <paramref name="text"/> (JSON-escaped text is not unescaped).</summary>
    public bool Mentions(string text) => Body.Contains(text, StringComparison.Ordinal);

    /// <summary>
    /// The last tool result in an Anthropic Messages request (what the agent tells the model a tool gave: its text, and
    /// whether it was an error), or null when there is none.
    /// </summary>
    public (string Text, bool IsError)? LastToolResult()
    {
        var results = (Json?["messages"] as JsonArray ?? [])
            .SelectMany(m => m?["content"] as JsonArray ?? [])
            .Where(c => c?["type"]?.GetValue<string>() == "tool_result");
        if (results.LastOrDefault() is not { } result)
        {
            return null;
        }

        var content = result["content"];
        var text = content is JsonArray parts
            ? string.Concat(parts.Select(p => p?["text"]?.GetValue<string>()))
            : content?.GetValue<string>() ?? "";
        return (text, result["is_error"]?.GetValue<bool>() == true);
    }

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    /// <summary>The Claude Code sub-agent that made this request (its <c>x-claude-code-agent-id</c>), or null for the main agent.</summary>
    public string? SubAgent => Header("x-claude-code-agent-id");
}

/// <summary>What a request to the fake was for.</summary>
public enum ModelRequestKind
{
    /// <summary>The agent's own loop (it offers tools): answered from the script.</summary>
    Turn,

    /// <summary>
    /// A side call the agent makes for itself (Gemini CLI's model router, Codex's automatic approval review): answered
    /// without using the script.
    /// </summary>
    Side,

    /// <summary>OpenTelemetry the agent exported to the fake (OTLP/HTTP JSON on <c>/v1/logs|traces|metrics</c>).</summary>
    Telemetry,

    /// <summary>Anything else (answered 404).</summary>
    Other,
}

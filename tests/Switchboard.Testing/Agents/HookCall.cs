using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Testing.Agents;

/// <summary>One call of an agent's hook: its event (<c>hook_event_name</c>) and the JSON it sent.</summary>
public sealed record HookCall(
    string Path, string Event, JsonObject Payload, string Body, IReadOnlyDictionary<string, string> Headers, DateTimeOffset At)
{
    public string? SessionId => Text("session_id");

    public string? ToolName => Text("tool_name");

    /// <summary>A top-level string field of the payload, or null.</summary>
    public string? Text(string field) => Payload[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>What the recorder answers a hook call: a status and a JSON body.</summary>
public sealed record HookAnswer(int Status, string Body)
{
    /// <summary><c>200 {}</c>: the agent applies its own rules.</summary>
    public static HookAnswer NoDecision { get; } = new(200, "{}");

    public static HookAnswer Json(object body) => new(200, JsonSerializer.Serialize(body));
}

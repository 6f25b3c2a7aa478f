using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Testing.Agents;

/// <summary>
/// One answer of the fake model: some text, a tool call, or both (text first), with the token usage it reports.
/// The usage is what the agent's OpenTelemetry then carries, so a test can check it exactly.
/// </summary>
public sealed record ModelTurn(string? Text, string? ToolName, JsonObject? ToolInput, int InputTokens, int OutputTokens)
{
    public const int DefaultInputTokens = 100;

    public const int DefaultOutputTokens = 20;

    /// <summary>A text answer that ends the agent's turn.</summary>
    public static ModelTurn Say(string text, int inputTokens = DefaultInputTokens, int outputTokens = DefaultOutputTokens) =>
        new(text, null, null, inputTokens, outputTokens);

    /// <summary>A call of the agent's tool <paramref name="name"/> with <paramref name="input"/> (any object JSON can hold).</summary>
    public static ModelTurn CallTool(string name, object input, string? text = null,
        int inputTokens = DefaultInputTokens, int outputTokens = DefaultOutputTokens) =>
        new(text, name, JsonSerializer.SerializeToNode(input)!.AsObject(), inputTokens, outputTokens);

    /// <summary>When set, the fake answers this turn only once the task completes (the agent waits on its model meanwhile).</summary>
    public Task? Gate { get; init; }

    /// <summary>This turn, answered once <paramref name="gate"/> completes.</summary>
    public ModelTurn After(Task gate) => this with { Gate = gate };

    /// <summary>
    /// A turn written from the request that takes it (what the agent's tools gave so far is in its body), so a script can
    /// act on what only the run knows, such as an id a tool returned.
    /// </summary>
    public static ModelTurn Reading(Func<ModelRequest, ModelTurn> write) => new(null, null, null, 0, 0) { Write = write };

    /// <summary>When set, the turn the fake answers is what this returns for the request.</summary>
    public Func<ModelRequest, ModelTurn>? Write { get; init; }

    /// <summary>What the fake answers once the script has run out: a plain end of turn.</summary>
    internal static ModelTurn Fallback { get; } = Say("Done.");

    internal string ToolInputJson => ToolInput?.ToJsonString() ?? "{}";
}

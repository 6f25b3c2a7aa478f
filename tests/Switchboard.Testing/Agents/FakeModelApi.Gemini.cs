using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Testing.Agents;

public sealed partial class FakeModelApi
{
    /// <summary>
    /// The Gemini API as Gemini CLI calls it with an API key: one candidate whose parts are the text and a
    /// <c>functionCall</c>, with <c>usageMetadata</c>; as one SSE event for <c>:streamGenerateContent?alt=sse</c>, as
    /// JSON for <c>:generateContent</c>.
    /// </summary>
    private async Task AnswerGeminiAsync(HttpContext context, ModelRequest recorded)
    {
        var response = context.Response;
        var cancel = context.RequestAborted;
        var turn = recorded.Kind == ModelRequestKind.Turn ? await NextTurnAsync(recorded) : ModelTurn.Say("OK");
        var parts = new JsonArray();
        if (turn.Text is not null)
        {
            parts.Add(new JsonObject { ["text"] = turn.Text });
        }

        if (turn.ToolName is not null)
        {
            parts.Add(new JsonObject { ["functionCall"] = new JsonObject { ["name"] = turn.ToolName, ["args"] = turn.ToolInput!.DeepClone() } });
        }

        var chunk = new JsonObject
        {
            ["candidates"] = new JsonArray(new JsonObject
            {
                ["content"] = new JsonObject { ["role"] = "model", ["parts"] = parts }, ["finishReason"] = "STOP", ["index"] = 0,
            }),
            ["usageMetadata"] = new JsonObject
            {
                ["promptTokenCount"] = turn.InputTokens, ["candidatesTokenCount"] = turn.OutputTokens,
                ["totalTokenCount"] = turn.InputTokens + turn.OutputTokens,
            },
            ["modelVersion"] = "gemini-test",
        };
        if (recorded.Path.Contains(":streamGenerateContent", StringComparison.Ordinal))
        {
            response.ContentType = "text/event-stream";
            await WriteSseAsync(response, null, chunk, cancel);
            return;
        }

        response.ContentType = "application/json";
        await response.WriteAsync(chunk.ToJsonString(), cancel);
    }
}

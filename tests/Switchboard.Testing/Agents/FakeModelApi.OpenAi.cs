using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Testing.Agents;

public sealed partial class FakeModelApi
{
    /// <summary>
    /// OpenAI's Responses API as Codex streams it (<c>wire_api = "responses"</c>): <c>response.created</c>, one
    /// <c>response.output_item.done</c> per message or <c>function_call</c>, <c>response.completed</c> with the usage.
    /// Codex's automatic approval review gets a verdict (<see cref="GuardianOutcome"/>) in the JSON shape it asks for.
    /// </summary>
    private async Task AnswerOpenAiAsync(HttpContext context, ModelRequest recorded)
    {
        var response = context.Response;
        var cancel = context.RequestAborted;
        var turn = recorded.Kind == ModelRequestKind.Turn
            ? await NextTurnAsync(recorded)
            : ModelTurn.Say(new JsonObject
            {
                ["risk_level"] = "high", ["user_authorization"] = "unknown", ["outcome"] = GuardianOutcome, ["rationale"] = "The test's fake review.",
            }.ToJsonString());
        var id = "resp_" + Guid.NewGuid().ToString("N")[..20];
        response.ContentType = "text/event-stream";
        await WriteSseAsync(response, "response.created",
            new JsonObject { ["type"] = "response.created", ["response"] = new JsonObject { ["id"] = id } }, cancel);
        if (turn.Text is not null)
        {
            await WriteSseAsync(response, "response.output_item.done", new JsonObject
            {
                ["type"] = "response.output_item.done",
                ["item"] = new JsonObject
                {
                    ["type"] = "message", ["role"] = "assistant", ["id"] = "msg_" + id,
                    ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = turn.Text }),
                },
            }, cancel);
        }

        if (turn.ToolName is not null)
        {
            await WriteSseAsync(response, "response.output_item.done", new JsonObject
            {
                ["type"] = "response.output_item.done",
                ["item"] = new JsonObject
                {
                    ["type"] = "function_call", ["id"] = "fc_" + id, ["call_id"] = "call_" + id,
                    ["name"] = turn.ToolName, ["arguments"] = turn.ToolInputJson,
                },
            }, cancel);
        }

        await WriteSseAsync(response, "response.completed", new JsonObject
        {
            ["type"] = "response.completed",
            ["response"] = new JsonObject
            {
                ["id"] = id,
                ["usage"] = new JsonObject
                {
                    ["input_tokens"] = turn.InputTokens, ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
                    ["output_tokens"] = turn.OutputTokens, ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
                    ["total_tokens"] = turn.InputTokens + turn.OutputTokens,
                },
            },
        }, cancel);
    }
}

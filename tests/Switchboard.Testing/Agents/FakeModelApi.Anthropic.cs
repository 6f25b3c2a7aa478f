using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Testing.Agents;

public sealed partial class FakeModelApi
{
    /// <summary>
    /// Anthropic's Messages API as Claude Code reads it: <c>message_start</c> (with the input tokens), one content block
    /// per text or <c>tool_use</c> (its input streamed as one <c>input_json_delta</c>), <c>message_delta</c> with the stop
    /// reason and output tokens, <c>message_stop</c>. A request without <c>stream</c> gets the whole message as JSON.
    /// </summary>
    private async Task AnswerAnthropicAsync(HttpContext context, ModelRequest recorded)
    {
        var request = recorded.Json;
        var response = context.Response;
        var cancel = context.RequestAborted;
        if (recorded.Path.StartsWith("/v1/messages/count_tokens", StringComparison.Ordinal))
        {
            response.ContentType = "application/json";
            await response.WriteAsync("""{"input_tokens":100}""", cancel);
            return;
        }

        var turn = recorded.Kind == ModelRequestKind.Turn ? await NextTurnAsync(recorded) : ModelTurn.Say("OK");
        var id = "msg_" + Guid.NewGuid().ToString("N")[..20];
        var toolUseId = "toolu_" + Guid.NewGuid().ToString("N")[..20];
        var model = request?["model"]?.GetValue<string>() ?? "claude-test";
        var stopReason = turn.ToolName is null ? "end_turn" : "tool_use";
        if (request?["stream"]?.GetValue<bool>() != true)
        {
            var content = new JsonArray();
            if (turn.Text is not null)
            {
                content.Add(new JsonObject { ["type"] = "text", ["text"] = turn.Text });
            }

            if (turn.ToolName is not null)
            {
                content.Add(new JsonObject { ["type"] = "tool_use", ["id"] = toolUseId, ["name"] = turn.ToolName, ["input"] = turn.ToolInput!.DeepClone() });
            }

            response.ContentType = "application/json";
            var message = new JsonObject
            {
                ["id"] = id, ["type"] = "message", ["role"] = "assistant", ["model"] = model, ["content"] = content,
                ["stop_reason"] = stopReason, ["stop_sequence"] = null,
                ["usage"] = new JsonObject { ["input_tokens"] = turn.InputTokens, ["output_tokens"] = turn.OutputTokens },
            };
            await response.WriteAsync(message.ToJsonString(), cancel);
            return;
        }

        response.ContentType = "text/event-stream";
        await WriteSseAsync(response, "message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = id, ["type"] = "message", ["role"] = "assistant", ["model"] = model, ["content"] = new JsonArray(),
                ["stop_reason"] = null, ["stop_sequence"] = null,
                ["usage"] = new JsonObject
                {
                    ["input_tokens"] = turn.InputTokens, ["output_tokens"] = 1,
                    ["cache_creation_input_tokens"] = 0, ["cache_read_input_tokens"] = 0,
                },
            },
        }, cancel);
        var index = 0;
        if (turn.Text is not null)
        {
            await WriteBlockAsync(response, index++, new JsonObject { ["type"] = "text", ["text"] = "" },
                new JsonObject { ["type"] = "text_delta", ["text"] = turn.Text }, cancel);
        }

        if (turn.ToolName is not null)
        {
            await WriteBlockAsync(response, index, new JsonObject { ["type"] = "tool_use", ["id"] = toolUseId, ["name"] = turn.ToolName, ["input"] = new JsonObject() },
                new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = turn.ToolInputJson }, cancel);
        }

        await WriteSseAsync(response, "message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = stopReason, ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = turn.OutputTokens },
        }, cancel);
        await WriteSseAsync(response, "message_stop", new JsonObject { ["type"] = "message_stop" }, cancel);
    }

    private static async Task WriteBlockAsync(HttpResponse response, int index, JsonObject start, JsonObject delta, CancellationToken cancel)
    {
        await WriteSseAsync(response, "content_block_start",
            new JsonObject { ["type"] = "content_block_start", ["index"] = index, ["content_block"] = start }, cancel);
        await WriteSseAsync(response, "content_block_delta",
            new JsonObject { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = delta }, cancel);
        await WriteSseAsync(response, "content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = index }, cancel);
    }
}

using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Switchboard.Server.Slack;

/// <summary>
/// A button click as Slack sends it to the interactivity URL: a form body whose <c>payload</c> is a <c>block_actions</c>
/// JSON document, of which Switchboard reads the user, the button (<c>action_id</c>) and its value (the approval).
/// </summary>
internal sealed record SlackClick(string UserId, string Action, string? SessionId, string? ApprovalId, int? Option = null)
{
    /// <summary>The click in <paramref name="body"/>, or null with why it is not one.</summary>
    public static SlackClick? Read(ReadOnlySpan<byte> body, out string? refusal)
    {
        refusal = null;
        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
        if (!form.TryGetValue("payload", out var payload) || payload.Count != 1)
        {
            refusal = "the body must be a form with one 'payload' field, as Slack sends a click (application/x-www-form-urlencoded)";
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(payload.ToString());
            var root = doc.RootElement;
            if (Text(root, "type") != "block_actions")
            {
                refusal = $"only button clicks (block_actions) are taken; this payload is '{Clip(Text(root, "type"))}'";
                return null;
            }

            var user = root.TryGetProperty("user", out var u) ? Text(u, "id") : null;
            var action = root.TryGetProperty("actions", out var actions) && actions.ValueKind == JsonValueKind.Array && actions.GetArrayLength() == 1
                ? actions[0] : default;
            var id = action.ValueKind == JsonValueKind.Object ? Text(action, "action_id") : null;
            if (user is null || id is null)
            {
                refusal = "the payload must name the user (user.id) and one action (actions[0].action_id)";
                return null;
            }

            string? session = null, approval = null;
            int? option = null;
            if (Text(action, "value") is { } value)
            {
                using var v = JsonDocument.Parse(value);
                session = Text(v.RootElement, "session_id");
                approval = Text(v.RootElement, "approval_id");
                option = v.RootElement.ValueKind == JsonValueKind.Object && v.RootElement.TryGetProperty("option", out var o) && o.ValueKind == JsonValueKind.Number && o.TryGetInt32(out var i) ? i : null;
            }

            return new SlackClick(user, id, session, approval, option);
        }
        catch (JsonException)
        {
            refusal = "the payload (or its button's value) is not the JSON Slack sends";
            return null;
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static string Clip(string? text) => text is null ? "" : text.Length > 64 ? text[..64] + "…" : text;
}

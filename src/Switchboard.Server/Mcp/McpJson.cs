using System.Text.Json;
using ModelContextProtocol.Protocol;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;

namespace Switchboard.Server.Mcp;

/// <summary>Tool results as JSON text: what every tool answers, and the short form of a session lists use.</summary>
internal static class McpJson
{
    /// <summary>
    /// The most UTF-8 a tool's answer holds: lists stop adding entries past it (and say where to go on), so an answer fits
    /// a model's context whatever the sessions carry.
    /// </summary>
    public const int MaxAnswerBytes = 128 * 1024;

    public static CallToolResult Result(Action<Utf8JsonWriter> body) => new()
    {
        Content = [new TextContentBlock { Text = JsonBytes.WriteText(body) }],
    };

    public static CallToolResult Refused(McpRefusal refusal) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = JsonBytes.WriteText(w =>
        {
            w.WriteStartObject();
            w.WriteString("error", refusal.Code);
            w.WriteString("detail", refusal.Message);
            w.WriteEndObject();
        }) }],
    };

    /// <summary>A session in a list: what a supervisor decides by, without its metadata (<c>get_session</c> has it all).</summary>
    public static void WriteBrief(Utf8JsonWriter w, Session s, DateTimeOffset now)
    {
        w.WriteStartObject();
        w.WriteString("id", s.Id);
        w.WriteString("name", s.Name);
        w.WriteString("state", s.State.ToWire());
        w.WritePropertyName("labels");
        SessionJson.WriteLabels(w, s.Labels);
        w.WriteString("activity", s.Activity);
        w.WriteString("error_message", s.ErrorMessage);
        w.WriteString("parent_id", s.ParentId);
        WireTime.Write(w, "updated_at", s.UpdatedAt);
        if (s.State == SessionState.Waiting)
        {
            // The last change of a waiting session is when it began to wait.
            w.WriteNumber("waiting_seconds", Math.Max(0, (long)(now - s.UpdatedAt).TotalSeconds));
        }

        w.WriteNumber("input_tokens", s.InputTokens);
        w.WriteNumber("output_tokens", s.OutputTokens);
        w.WriteNumber("cost_usd", Decimals.Normalize(s.CostUsd));
        w.WriteEndObject();
    }
}

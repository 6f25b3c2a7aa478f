using System.Text.Json;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Approvals;

/// <summary>
/// The one snake_case JSON shape of an approval: HTTP answers, event data and stored rows.
/// <c>{id, session_id, kind, tool, summary, data, input, input_truncated, questions, plan, suggestions, cwd, state, requested_at,
/// requested_by, requested_key, expires_at, answered_at, answered_by, note, answers, interrupt, applied_suggestion, held_by, reason}</c>.
/// Rows written before a field existed read as its default (a permission, no input, no suggestions).
/// </summary>
internal static partial class ApprovalJson
{
    /// <summary>Writes an approval; <paramref name="stored"/> adds what only the store keeps (<c>requested_seq</c>, <c>resume_state</c>).</summary>
    public static void Write(Utf8JsonWriter w, Approval a, bool stored = false)
    {
        w.WriteStartObject();
        w.WriteString("id", a.Id);
        w.WriteString("session_id", a.SessionId);
        w.WriteString("kind", a.Kind.ToWire());
        w.WriteString("tool", a.Tool);
        w.WriteString("summary", a.Summary);
        JsonBytes.WriteRawOrNull(w, "data", a.Data);
        JsonBytes.WriteRawOrNull(w, "input", a.Input);
        w.WriteBoolean("input_truncated", a.InputTruncated);
        WriteQuestions(w, a.Questions);
        w.WriteString("plan", a.Plan);
        WriteSuggestions(w, a.Suggestions);
        w.WriteString("cwd", a.Cwd);
        w.WriteString("state", a.State.ToWire());
        WireTime.Write(w, "requested_at", a.RequestedAt);
        w.WriteString("requested_by", a.RequestedBy);
        w.WriteString("requested_key", a.RequestedKey);
        WireTime.Write(w, "expires_at", a.ExpiresAt);
        WireTime.Write(w, "answered_at", a.AnsweredAt);
        w.WriteString("answered_by", a.AnsweredBy);
        w.WriteString("note", a.Note);
        WriteAnswers(w, a.Answers);
        WriteNullable(w, "interrupt", a.Interrupt);
        WriteNullable(w, "applied_suggestion", a.AppliedSuggestion);
        w.WriteString("held_by", a.HeldBy);
        w.WriteString("reason", a.Reason);
        if (stored)
        {
            w.WriteNumber("requested_seq", a.RequestedSeq);
            w.WriteString("resume_state", a.ResumeState.ToWire());
        }

        w.WriteEndObject();
    }

    /// <summary>Writes <c>"name": [approval, …]</c>.</summary>
    public static void WriteList(Utf8JsonWriter w, string name, IEnumerable<Approval> approvals)
    {
        w.WriteStartArray(name);
        foreach (var a in approvals)
        {
            Write(w, a);
        }

        w.WriteEndArray();
    }

    /// <summary>Reads an approval written by <see cref="Write"/> (an answer, event data or a stored row).</summary>
    public static Approval Read(JsonElement e)
    {
        ApprovalWire.TryParseState(e.GetProperty("state").GetString(), out var state);
        var data = e.GetProperty("data");
        var resume = e.TryGetProperty("resume_state", out var r) && SessionStates.TryParse(r.GetString(), out var s) ? s : SessionState.Working;
        return new Approval
        {
            Id = e.GetProperty("id").GetString()!,
            SessionId = e.GetProperty("session_id").GetString()!,
            Kind = ApprovalWire.ParseKind(e.TryGetProperty("kind", out var kind) ? kind.GetString() : null), // rows from before issue 58 have none of these
            Tool = e.GetProperty("tool").GetString(),
            Summary = e.GetProperty("summary").GetString()!,
            Data = data.ValueKind == JsonValueKind.Object ? CompactJson.Write(data) : null,
            Input = e.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Object ? CompactJson.Write(input) : null,
            InputTruncated = e.TryGetProperty("input_truncated", out var cut) && cut.ValueKind == JsonValueKind.True,
            Questions = ReadQuestions(e),
            Plan = e.TryGetProperty("plan", out var plan) ? plan.GetString() : null,
            Suggestions = ReadSuggestions(e),
            Cwd = e.TryGetProperty("cwd", out var cwd) ? cwd.GetString() : null,
            State = state,
            RequestedAt = WireTime.Parse(e.GetProperty("requested_at").GetString()!),
            RequestedSeq = e.TryGetProperty("requested_seq", out var seq) ? seq.GetInt64() : 0,
            RequestedBy = e.GetProperty("requested_by").GetString()!,
            RequestedKey = e.TryGetProperty("requested_key", out var key) ? key.GetString() : null, // rows from before names have none
            ExpiresAt = WireTime.Parse(e.GetProperty("expires_at").GetString()!),
            AnsweredAt = JsonBytes.Time(e, "answered_at"),
            AnsweredBy = e.GetProperty("answered_by").GetString(),
            Note = e.GetProperty("note").GetString(),
            Answers = ReadAnswers(e),
            Interrupt = e.TryGetProperty("interrupt", out var stop) && stop.ValueKind is JsonValueKind.True or JsonValueKind.False ? stop.GetBoolean() : null,
            AppliedSuggestion = e.TryGetProperty("applied_suggestion", out var applied) && applied.ValueKind == JsonValueKind.Number ? applied.GetInt32() : null,
            HeldBy = e.TryGetProperty("held_by", out var held) ? held.GetString() : null, // rows written before issue 56 have neither
            Reason = e.TryGetProperty("reason", out var why) ? why.GetString() : null,
            ResumeState = resume,
        };
    }

    /// <summary>Reads a stored row's JSON text.</summary>
    public static Approval Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Read(doc.RootElement);
    }

    /// <summary>An approval as compact JSON text for its store row.</summary>
    public static string ToRow(Approval a) => JsonBytes.WriteText(w => Write(w, a, stored: true));

    /// <summary>Event data: <c>{approval}</c>.</summary>
    public static byte[] EventData(Approval a) => JsonBytes.Write(w =>
    {
        w.WriteStartObject();
        w.WritePropertyName("approval");
        Write(w, a);
        w.WriteEndObject();
    });
}

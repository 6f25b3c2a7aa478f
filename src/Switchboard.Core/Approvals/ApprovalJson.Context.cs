using System.Text.Json;
using Switchboard.Core.Json;

namespace Switchboard.Core.Approvals;

/// <summary>The parts of an approval's JSON that are lists and maps: its questions, suggestions and answers.</summary>
internal static partial class ApprovalJson
{
    /// <summary><c>"questions": [{question, header, options: [{label, description}], multi_select}]</c>, or null.</summary>
    private static void WriteQuestions(Utf8JsonWriter w, IReadOnlyList<ApprovalQuestion>? questions)
    {
        if (questions is null)
        {
            w.WriteNull("questions");
            return;
        }

        w.WriteStartArray("questions");
        foreach (var q in questions)
        {
            w.WriteStartObject();
            w.WriteString("question", q.Question);
            w.WriteString("header", q.Header);
            w.WriteStartArray("options");
            foreach (var o in q.Options)
            {
                w.WriteStartObject();
                w.WriteString("label", o.Label);
                w.WriteString("description", o.Description);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteBoolean("multi_select", q.MultiSelect);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary><c>"suggestions": [{label, scope, permission}]</c>, the permission the agent's object as it is.</summary>
    private static void WriteSuggestions(Utf8JsonWriter w, IReadOnlyList<ApprovalSuggestion> suggestions)
    {
        w.WriteStartArray("suggestions");
        foreach (var s in suggestions)
        {
            w.WriteStartObject();
            w.WriteString("label", s.Label);
            w.WriteString("scope", s.Scope);
            JsonBytes.WriteRawOrNull(w, "permission", s.Permission);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteAnswers(Utf8JsonWriter w, IReadOnlyDictionary<string, string>? answers)
    {
        if (answers is null)
        {
            w.WriteNull("answers");
            return;
        }

        w.WriteStartObject("answers");
        foreach (var (question, answer) in answers)
        {
            w.WriteString(question, answer);
        }

        w.WriteEndObject();
    }

    private static void WriteNullable<T>(Utf8JsonWriter w, string name, T? value)
        where T : struct
    {
        switch (value)
        {
            case bool b:
                w.WriteBoolean(name, b);
                break;
            case int i:
                w.WriteNumber(name, i);
                break;
            default:
                w.WriteNull(name);
                break;
        }
    }

    private static List<ApprovalQuestion>? ReadQuestions(JsonElement e)
    {
        if (!e.TryGetProperty("questions", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        return [.. list.EnumerateArray().Select(q => new ApprovalQuestion(
            q.GetProperty("question").GetString()!,
            q.GetProperty("header").GetString(),
            [.. q.GetProperty("options").EnumerateArray().Select(o => new ApprovalOption(o.GetProperty("label").GetString()!, o.GetProperty("description").GetString()))],
            q.GetProperty("multi_select").GetBoolean()))];
    }

    private static List<ApprovalSuggestion> ReadSuggestions(JsonElement e) =>
        e.TryGetProperty("suggestions", out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(s => new ApprovalSuggestion(
                s.GetProperty("label").GetString()!, s.GetProperty("scope").GetString()!, CompactJson.Write(s.GetProperty("permission"))))]
            : [];

    private static Dictionary<string, string>? ReadAnswers(JsonElement e)
    {
        if (!e.TryGetProperty("answers", out var map) || map.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var answers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in map.EnumerateObject())
        {
            answers[p.Name] = p.Value.GetString()!;
        }

        return answers;
    }
}

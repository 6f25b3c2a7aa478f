using System.Text.Json;

namespace Switchboard.Client.Json;

/// <summary>Approvals.</summary>
internal static partial class WireJson
{
    private static readonly string[] ApprovalStates = ["pending", "allowed", "denied", "expired", "withdrawn"];

    private static readonly string[] ApprovalKinds = ["permission", "question", "plan"];

    private static readonly string[] SuggestionScopes = ["session", "local", "project", "user"];

    public static byte[] ApprovalRequestBody(string summary, string? tool, JsonElement? data, TimeSpan? expiresIn) => RequestJson.Object(w =>
    {
        w.WriteString("summary", summary);
        if (tool is not null)
        {
            w.WriteString("tool", tool);
        }

        DataAndExpiry(w, data, expiresIn);
    });

    public static byte[] ApprovalAnswerBody(ApprovalAnswer answer) => RequestJson.Object(w =>
    {
        w.WriteString("decision", answer.Decision);
        if (answer.Note is not null)
        {
            w.WriteString("note", answer.Note);
        }

        if (answer.Interrupt)
        {
            w.WriteBoolean("interrupt", true);
        }

        if (answer.Suggestion is { } suggestion)
        {
            w.WriteNumber("suggestion", suggestion);
        }

        if (answer.Answers is { } answers)
        {
            w.WriteStartObject("answers");
            foreach (var (question, text) in answers)
            {
                w.WriteString(question, text);
            }

            w.WriteEndObject();
        }
    });

    public static Approval ReadApproval(JsonElement e) => new()
    {
        Id = String(e, "id")!,
        SessionId = String(e, "session_id")!,
        Kind = e.TryGetProperty("kind", out _) ? Named(String(e, "kind"), ApprovalKinds, ApprovalKind.Unknown) : ApprovalKind.Permission,
        Tool = String(e, "tool"),
        Summary = String(e, "summary") ?? "",
        Data = ObjectField(e, "data"),
        Input = ObjectField(e, "input"),
        InputTruncated = e.TryGetProperty("input_truncated", out var cut) && cut.ValueKind == JsonValueKind.True,
        Questions = ArrayField(e, "questions") is { } questions ? [.. questions.EnumerateArray().Select(ReadQuestion)] : null,
        Plan = String(e, "plan"),
        Suggestions = ArrayField(e, "suggestions") is { } suggestions ? [.. suggestions.EnumerateArray().Select(ReadSuggestion)] : [],
        Cwd = String(e, "cwd"),
        State = Named(String(e, "state"), ApprovalStates, ApprovalState.Unknown),
        RequestedAt = Time(e, "requested_at") ?? default,
        RequestedBy = String(e, "requested_by") ?? "",
        ExpiresAt = Time(e, "expires_at") ?? default,
        AnsweredAt = Time(e, "answered_at"),
        AnsweredBy = String(e, "answered_by"),
        Note = String(e, "note"),
        Answers = e.TryGetProperty("answers", out var answers) && answers.ValueKind == JsonValueKind.Object
            ? answers.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal)
            : null,
        Interrupt = e.TryGetProperty("interrupt", out var interrupt) && interrupt.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? interrupt.GetBoolean()
            : null,
        AppliedSuggestion = e.TryGetProperty("applied_suggestion", out var applied) && applied.ValueKind == JsonValueKind.Number ? applied.GetInt32() : null,
    };

    private static ApprovalQuestion ReadQuestion(JsonElement e) => new(
        String(e, "question") ?? "",
        String(e, "header"),
        ArrayField(e, "options") is { } options ? [.. options.EnumerateArray().Select(o => new ApprovalOption(String(o, "label") ?? "", String(o, "description")))] : [],
        e.TryGetProperty("multi_select", out var multi) && multi.ValueKind == JsonValueKind.True);

    private static ApprovalSuggestion ReadSuggestion(JsonElement e) => new(
        String(e, "label") ?? "",
        Named(String(e, "scope"), SuggestionScopes, ApprovalSuggestionScope.Unknown),
        ObjectField(e, "permission") ?? EmptyObject);

    /// <summary>The enum value at the name's index in <paramref name="names"/> (the enum's order), else <paramref name="unknown"/>.</summary>
    private static T Named<T>(string? name, string[] names, T unknown) where T : struct, Enum =>
        Array.IndexOf(names, name) is var i and >= 0 ? (T)(object)i : unknown;

    private static JsonElement? ObjectField(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v.Clone() : null;

    private static JsonElement? ArrayField(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v : null;
}

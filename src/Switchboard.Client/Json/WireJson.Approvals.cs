using System.Text.Json;

namespace Switchboard.Client.Json;

/// <summary>Approvals.</summary>
internal static partial class WireJson
{
    private static readonly string[] ApprovalStates = ["pending", "allowed", "denied", "expired", "withdrawn"];

    public static byte[] ApprovalRequestBody(string summary, string? tool, JsonElement? data, TimeSpan? expiresIn) => RequestJson.Object(w =>
    {
        w.WriteString("summary", summary);
        if (tool is not null)
        {
            w.WriteString("tool", tool);
        }

        DataAndExpiry(w, data, expiresIn);
    });

    public static Approval ReadApproval(JsonElement e) => new()
    {
        Id = String(e, "id")!,
        SessionId = String(e, "session_id")!,
        Tool = String(e, "tool"),
        Summary = String(e, "summary") ?? "",
        Data = e.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object ? data.Clone() : null,
        State = Array.IndexOf(ApprovalStates, String(e, "state")) is var s and >= 0 ? (ApprovalState)s : ApprovalState.Unknown,
        RequestedAt = Time(e, "requested_at") ?? default,
        RequestedBy = String(e, "requested_by") ?? "",
        ExpiresAt = Time(e, "expires_at") ?? default,
        AnsweredAt = Time(e, "answered_at"),
        AnsweredBy = String(e, "answered_by"),
        Note = String(e, "note"),
    };
}

using System.Text.Json;

namespace Switchboard.Client.Json;

/// <summary>Responses other than sessions and events.</summary>
internal static partial class WireJson
{
    public static JoinSnapshot ReadJoinSnapshot(JsonElement e)
    {
        var epoch = String(e, "epoch") ?? "";
        return new JoinSnapshot
        {
            Seq = Long(e, "seq"),
            Epoch = epoch,
            Summary = e.TryGetProperty("summary", out var summary) && summary.ValueKind == JsonValueKind.Object ? ReadSummary(summary, epoch) : null,
            Sessions = e.TryGetProperty("sessions", out var sessions) && sessions.ValueKind == JsonValueKind.Array
                ? sessions.EnumerateArray().Select(ReadSession).ToList()
                : null,
            NextCursor = String(e, "next_cursor"),
            Session = e.TryGetProperty("session", out var session) && session.ValueKind == JsonValueKind.Object ? ReadSession(session) : null,
            Descendants = e.TryGetProperty("descendants", out var descendants) && descendants.ValueKind == JsonValueKind.Array
                ? descendants.EnumerateArray().Select(ReadSession).ToList()
                : null,
        };
    }

    public static SessionPage ReadSessionPage(JsonElement e) =>
        new(e.GetProperty("sessions").EnumerateArray().Select(ReadSession).ToList(), String(e, "next_cursor")) { AsOfSeq = Long(e, "as_of_seq") };

    public static SubtreePage ReadSubtreePage(JsonElement e) =>
        new(Long(e, "as_of_seq"), e.GetProperty("sessions").EnumerateArray().Select(ReadSession).ToList(), String(e, "next_cursor"));

    public static EventPage ReadEventPage(JsonElement e) =>
        new(String(e, "epoch") ?? "", Long(e, "head_seq"), e.GetProperty("events").EnumerateArray().Select(ReadEvent).ToList(),
            Long(e, "next_since"), e.TryGetProperty("has_more", out var more) && more.ValueKind == JsonValueKind.True);

    public static HeartbeatResult ReadHeartbeat(JsonElement e) =>
        new(e.GetProperty("id").GetString()!, SessionStates.FromWire(String(e, "state")),
            e.TryGetProperty("lease_seconds", out var lease) && lease.ValueKind == JsonValueKind.Number ? lease.GetInt32() : null,
            Time(e, "lease_expires_at")) { StateName = String(e, "state") ?? "", Commands = ReadCommands(e) };

    public static IReadOnlyList<BatchResult> ReadBatch(JsonElement e) =>
        e.GetProperty("results").EnumerateArray().Select(r => new BatchResult(
            (int)Long(r, "status"),
            r.TryGetProperty("session", out var s) && s.ValueKind == JsonValueKind.Object ? ReadSession(s) : null,
            r.TryGetProperty("problem", out var p) && p.ValueKind == JsonValueKind.Object ? ReadProblem(p, (int)Long(r, "status")) : null)
        {
            Commands = ReadCommands(r),
        }).ToList();

    public static SwitchboardProblem ReadProblem(JsonElement e, int status) => new()
    {
        Status = e.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt32() : status,
        Code = String(e, "code") ?? $"http_{status}",
        Detail = String(e, "detail") ?? String(e, "title") ?? $"The server answered {status}.",
        Title = String(e, "title"),
        Type = String(e, "type"),
        Field = String(e, "field"),
        Instance = String(e, "instance"),
    };
}

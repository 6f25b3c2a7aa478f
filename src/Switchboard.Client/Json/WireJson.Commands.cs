using System.Text.Json;

namespace Switchboard.Client.Json;

/// <summary>Commands and the answers that carry them.</summary>
internal static partial class WireJson
{
    private static readonly string[] CommandTypes = ["cancel", "pause", "resume", "message"];
    private static readonly string[] CommandStates = ["pending", "delivered", "acknowledged", "expired", "withdrawn"];
    private static readonly string[] CommandOutcomes = ["done", "rejected", "failed"];

    public static byte[] CommandBody(NewCommand command) => RequestJson.Object(w =>
    {
        w.WriteString("type", ToWire(command.Type));
        if (command.Text is not null)
        {
            w.WriteString("text", command.Text);
        }

        DataAndExpiry(w, command.Data, command.ExpiresIn);
    });

    /// <summary>The optional <c>data</c> and <c>expires_in_seconds</c> of a command or an approval request.</summary>
    public static void DataAndExpiry(Utf8JsonWriter w, JsonElement? data, TimeSpan? expiresIn)
    {
        if (data is { } d)
        {
            w.WritePropertyName("data");
            d.WriteTo(w);
        }

        if (expiresIn is { } expires)
        {
            w.WriteNumber("expires_in_seconds", (int)Math.Ceiling(expires.TotalSeconds));
        }
    }

    public static CommandList ReadCommandList(JsonElement e) =>
        new([.. e.GetProperty("commands").EnumerateArray().Select(ReadCommand)], Long(e, "as_of_seq"));

    public static string ToWire(CommandType type) => CommandTypes[(int)type];

    public static string ToWire(CommandState state) => CommandStates[(int)state];

    public static string ToWire(CommandOutcome outcome) => CommandOutcomes[(int)outcome];

    public static SessionCommand ReadCommand(JsonElement e) => new()
    {
        Id = String(e, "id")!,
        SessionId = String(e, "session_id")!,
        Type = (CommandType)Math.Max(0, Array.IndexOf(CommandTypes, String(e, "type"))),
        Text = String(e, "text"),
        Data = e.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object ? data.Clone() : null,
        State = (CommandState)Math.Max(0, Array.IndexOf(CommandStates, String(e, "state"))),
        IssuedAt = Time(e, "issued_at") ?? default,
        IssuedBy = String(e, "issued_by") ?? "",
        ExpiresAt = Time(e, "expires_at") ?? default,
        DeliveredAt = Time(e, "delivered_at"),
        Attempt = (int)Long(e, "attempt"),
        AcknowledgedAt = Time(e, "acknowledged_at"),
        Outcome = Array.IndexOf(CommandOutcomes, String(e, "outcome")) is var o and >= 0 ? (CommandOutcome)o : null,
        Note = String(e, "note"),
    };

    /// <summary>The <c>commands</c> array of an answer; empty when it has none (an older server).</summary>
    public static IReadOnlyList<SessionCommand> ReadCommands(JsonElement e) =>
        e.TryGetProperty("commands", out var list) && list.ValueKind == JsonValueKind.Array ? [.. list.EnumerateArray().Select(ReadCommand)] : [];

    /// <summary>A producer's write answer: the session and the commands it handed over.</summary>
    public static (Session Session, IReadOnlyList<SessionCommand> Commands) ReadSessionWithCommands(JsonElement e) => (ReadSession(e), ReadCommands(e));
}

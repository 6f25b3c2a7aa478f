using System.Text.Json;
using Switchboard.Core.Json;

namespace Switchboard.Core.Commands;

/// <summary>
/// The one snake_case JSON shape of a command: HTTP answers, event data and stored rows.
/// <c>{id, session_id, type, text, data, state, issued_at, issued_by, expires_at, delivered_at, attempt, acknowledged_at, outcome, note}</c>.
/// </summary>
internal static class CommandJson
{
    /// <summary>
    /// Writes a command as a JSON object; <paramref name="stored"/> adds what only the store keeps (<c>issued_seq</c>, and
    /// <c>redeliver_at</c> once delivered).
    /// </summary>
    public static void Write(Utf8JsonWriter w, Command c, bool stored = false)
    {
        w.WriteStartObject();
        w.WriteString("id", c.Id);
        w.WriteString("session_id", c.SessionId);
        w.WriteString("type", c.Type.ToWire());
        w.WriteString("text", c.Text);
        JsonBytes.WriteRawOrNull(w, "data", c.Data);
        w.WriteString("state", c.State.ToWire());
        WireTime.Write(w, "issued_at", c.IssuedAt);
        w.WriteString("issued_by", c.IssuedBy);
        WireTime.Write(w, "expires_at", c.ExpiresAt);
        WireTime.Write(w, "delivered_at", c.DeliveredAt);
        w.WriteNumber("attempt", c.Attempt);
        WireTime.Write(w, "acknowledged_at", c.AcknowledgedAt);
        w.WriteString("outcome", c.Outcome?.ToWire());
        w.WriteString("note", c.Note);
        if (stored)
        {
            w.WriteNumber("issued_seq", c.IssuedSeq);
            if (c.RedeliverAt is { } redeliverAt)
            {
                WireTime.Write(w, "redeliver_at", redeliverAt);
            }
        }

        w.WriteEndObject();
    }

    /// <summary>Writes <c>"name": [command, …]</c>.</summary>
    public static void WriteList(Utf8JsonWriter w, string name, IEnumerable<Command> commands)
    {
        w.WriteStartArray(name);
        foreach (var c in commands)
        {
            Write(w, c);
        }

        w.WriteEndArray();
    }

    /// <summary>A producer's write answer: the session object with its outstanding commands as one more field, <c>commands</c>.</summary>
    public static void WriteSession(Utf8JsonWriter w, Switchboard.Core.Sessions.Session session, IEnumerable<Command> commands)
    {
        w.WriteStartObject();
        foreach (var field in Switchboard.Core.Sessions.SessionFields.Table.Response)
        {
            field.Write(w, session);
        }

        WriteList(w, "commands", commands);
        w.WriteEndObject();
    }

    /// <summary>Reads a command written by <see cref="Write"/> (an answer, event data or a stored row).</summary>
    public static Command Read(JsonElement e)
    {
        CommandWire.TryParseType(e.GetProperty("type").GetString(), out var type);
        CommandWire.TryParseState(e.GetProperty("state").GetString(), out var state);
        CommandOutcome? outcome = CommandWire.TryParseOutcome(e.GetProperty("outcome").GetString(), out var o) ? o : null;
        var data = e.GetProperty("data");
        var deliveredAt = JsonBytes.Time(e, "delivered_at");
        return new Command
        {
            Id = e.GetProperty("id").GetString()!,
            SessionId = e.GetProperty("session_id").GetString()!,
            Type = type,
            Text = e.GetProperty("text").GetString(),
            Data = data.ValueKind == JsonValueKind.Object ? CompactJson.Write(data) : null,
            State = state,
            IssuedAt = WireTime.Parse(e.GetProperty("issued_at").GetString()!),
            IssuedSeq = e.TryGetProperty("issued_seq", out var seq) ? seq.GetInt64() : 0,
            IssuedBy = e.GetProperty("issued_by").GetString()!,
            ExpiresAt = WireTime.Parse(e.GetProperty("expires_at").GetString()!),
            DeliveredAt = deliveredAt,
            // A row written before attempts were counted was handed over once if it was handed over at all.
            Attempt = e.TryGetProperty("attempt", out var attempt) ? attempt.GetInt32() : deliveredAt is null ? 0 : 1,
            RedeliverAt = e.TryGetProperty("redeliver_at", out var redeliver) && redeliver.ValueKind == JsonValueKind.String ? WireTime.Parse(redeliver.GetString()!) : null,
            AcknowledgedAt = JsonBytes.Time(e, "acknowledged_at"),
            Outcome = outcome,
            Note = e.GetProperty("note").GetString(),
        };
    }

    /// <summary>Reads a stored row's JSON text.</summary>
    public static Command Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Read(doc.RootElement);
    }

    /// <summary>A command as compact UTF-8 JSON text for its store row (with <c>issued_seq</c>).</summary>
    public static string ToRow(Command c) => JsonBytes.WriteText(w => Write(w, c, stored: true));

    /// <summary>Event data: <c>{command}</c>; a <c>command_delivered</c> also says which hand-over it was, <c>{command, attempt}</c>.</summary>
    public static byte[] EventData(string type, Command c) => JsonBytes.Write(w =>
    {
        w.WriteStartObject();
        w.WritePropertyName("command");
        Write(w, c);
        if (type == Switchboard.Core.Events.EventTypes.CommandDelivered)
        {
            w.WriteNumber("attempt", c.Attempt);
        }

        w.WriteEndObject();
    });

    /// <summary>The data of a command an alert rule's action issued: <c>{alert_id, rule_id}</c>.</summary>
    public static string AlertData(string alertId, string ruleId) => JsonBytes.WriteText(w =>
    {
        w.WriteStartObject();
        w.WriteString("alert_id", alertId);
        w.WriteString("rule_id", ruleId);
        w.WriteEndObject();
    });
}

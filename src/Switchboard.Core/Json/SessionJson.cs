using System.Text.Json;
using Switchboard.Sessions;

namespace Switchboard.Json;

/// <summary>The one snake_case JSON shape of a session, used by HTTP responses, event data and snapshots.</summary>
public static class SessionJson
{
    /// <summary>Writes the session as a JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, Session session)
    {
        writer.WriteStartObject();
        writer.WriteString("id", session.Id);
        writer.WriteString("name", session.Name);
        writer.WriteString("state", session.State.ToWire());
        writer.WritePropertyName("labels");
        WriteLabels(writer, session.Labels);
        writer.WritePropertyName("metadata");
        writer.WriteRawValue(session.Metadata, skipInputValidation: true);
        writer.WriteString("error_message", session.ErrorMessage);
        writer.WriteNumber("input_tokens", session.InputTokens);
        writer.WriteNumber("output_tokens", session.OutputTokens);
        writer.WriteNumber("total_tokens", session.TotalTokens);
        writer.WriteNumber("cost_usd", Decimals.Normalize(session.CostUsd));
        writer.WriteNumber("tasks_running", session.TasksRunning);
        WriteNullableInt(writer, "lease_seconds", session.LeaseSeconds);
        writer.WritePropertyName("created_at");
        WireTime.Write(writer, session.CreatedAt);
        writer.WritePropertyName("updated_at");
        WireTime.Write(writer, session.UpdatedAt);
        writer.WritePropertyName("terminated_at");
        WireTime.Write(writer, session.TerminatedAt);
        writer.WriteNumber("version", session.Version);
        writer.WriteEndObject();
    }

    /// <summary>Writes a label map as a JSON object with keys in ordinal order.</summary>
    public static void WriteLabels(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> labels)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    /// <summary>A label map as compact JSON text, keys in ordinal order: how stores keep labels.</summary>
    public static string LabelsToText(IReadOnlyDictionary<string, string> labels)
    {
        if (labels.Count == 0)
        {
            return "{}";
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteLabels(writer, labels);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads label text written by <see cref="LabelsToText"/>.</summary>
    public static IReadOnlyDictionary<string, string> LabelsFromText(string json)
    {
        if (json == "{}")
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        using var doc = JsonDocument.Parse(json);
        return ReadLabels(doc.RootElement);
    }

    /// <summary>Reads a session written by <see cref="Write"/>.</summary>
    public static Session Read(JsonElement e) => new()
    {
        Id = e.GetProperty("id").GetString()!,
        Name = e.GetProperty("name").GetString(),
        State = ReadState(e.GetProperty("state")),
        Labels = ReadLabels(e.GetProperty("labels")),
        Metadata = e.GetProperty("metadata").GetRawText(),
        ErrorMessage = e.GetProperty("error_message").GetString(),
        InputTokens = e.GetProperty("input_tokens").GetInt64(),
        OutputTokens = e.GetProperty("output_tokens").GetInt64(),
        CostUsd = e.GetProperty("cost_usd").GetDecimal(),
        TasksRunning = e.GetProperty("tasks_running").GetInt32(),
        LeaseSeconds = ReadNullableInt(e.GetProperty("lease_seconds")),
        CreatedAt = WireTime.Parse(e.GetProperty("created_at").GetString()!),
        UpdatedAt = WireTime.Parse(e.GetProperty("updated_at").GetString()!),
        TerminatedAt = e.GetProperty("terminated_at").GetString() is { } t ? WireTime.Parse(t) : null,
        Version = e.GetProperty("version").GetInt64(),
    };

    /// <summary>Reads a label map.</summary>
    public static IReadOnlyDictionary<string, string> ReadLabels(JsonElement e)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
        {
            labels[p.Name] = p.Value.GetString()!;
        }

        return labels;
    }

    internal static SessionState ReadState(JsonElement e) =>
        SessionStates.TryParse(e.GetString(), out var s) ? s : throw new FormatException($"Unknown state '{e.GetString()}'.");

    internal static int? ReadNullableInt(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetInt32();

    public static void WriteNullableInt(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}

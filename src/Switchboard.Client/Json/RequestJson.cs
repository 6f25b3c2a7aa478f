using System.Buffers;
using System.Text.Json;

namespace Switchboard.Client;

/// <summary>Writes request bodies in the server's snake_case shape; a field is written only when it is set.</summary>
internal static class RequestJson
{
    public static byte[] Object(Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            fields(w);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void CreateFields(Utf8JsonWriter w, NewSession s)
    {
        if (s.Id is not null) w.WriteString("id", s.Id);
        if (s.Name is not null) w.WriteString("name", s.Name);
        if (s.State is { } state) w.WriteString("state", state.ToWire());
        if (s.Labels is not null) Labels(w, s.Labels);
        if (s.Metadata is { } metadata)
        {
            w.WritePropertyName("metadata");
            metadata.WriteTo(w);
        }

        if (s.ErrorMessage is not null) w.WriteString("error_message", s.ErrorMessage);
        if (s.InputTokens is { } input) w.WriteNumber("input_tokens", input);
        if (s.OutputTokens is { } output) w.WriteNumber("output_tokens", output);
        if (s.CostUsd is { } cost) w.WriteNumber("cost_usd", cost);
        if (s.TasksRunning is { } tasks) w.WriteNumber("tasks_running", tasks);
        if (s.LeaseSeconds is { } lease) w.WriteNumber("lease_seconds", lease);
    }

    public static void UpdateFields(Utf8JsonWriter w, SessionUpdate u)
    {
        if (u.State is { } state) w.WriteString("state", state.ToWire());
        if (u.Name.HasValue) w.WriteString("name", u.Name.Value);
        if (u.Labels is not null) Labels(w, u.Labels);
        if (u.Metadata is { } metadata)
        {
            w.WritePropertyName("metadata");
            metadata.WriteTo(w);
        }

        if (u.ErrorMessage.HasValue) w.WriteString("error_message", u.ErrorMessage.Value);
        if (u.TasksRunning is { } tasks) w.WriteNumber("tasks_running", tasks);
        if (u.LeaseSeconds.HasValue)
        {
            if (u.LeaseSeconds.Value is { } lease)
            {
                w.WriteNumber("lease_seconds", lease);
            }
            else
            {
                w.WriteNull("lease_seconds");
            }
        }

        if (u.ExpectedVersion is { } expected) w.WriteNumber("expected_version", expected);
    }

    public static void UsageFields(Utf8JsonWriter w, Usage usage)
    {
        if (usage.InputTokens != 0) w.WriteNumber("input_tokens", usage.InputTokens);
        if (usage.OutputTokens != 0) w.WriteNumber("output_tokens", usage.OutputTokens);
        if (usage.CostUsd != 0) w.WriteNumber("cost_usd", usage.CostUsd);
    }

    public static void TerminateFields(Utf8JsonWriter w, string? reason, long? expectedVersion)
    {
        if (reason is not null) w.WriteString("reason", reason);
        if (expectedVersion is { } expected) w.WriteNumber("expected_version", expected);
    }

    public static void Labels(Utf8JsonWriter w, IReadOnlyDictionary<string, string> labels)
    {
        w.WriteStartObject("labels");
        foreach (var (k, v) in labels)
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
    }
}

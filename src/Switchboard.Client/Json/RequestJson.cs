using System.Buffers;
using System.Text.Json;
using Switchboard.Core.Sessions;

namespace Switchboard.Client.Json;

/// <summary>
/// Writes request bodies in the server's snake_case shape (session field names from <see cref="SessionWire"/>); a field
/// is written only when it is set. The plain fields' writing (<c>PlainFields</c>) is generated from their rows.
/// </summary>
internal static partial class RequestJson
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
        if (s.Id is not null) w.WriteString(SessionWire.Id.EncodedName, s.Id);
        if (s.Name is not null) w.WriteString(SessionWire.Name.EncodedName, s.Name);
        if (s.State is { } state) w.WriteString(SessionWire.State.EncodedName, state.ToWire());
        if (s.Labels is not null) Labels(w, s.Labels);
        if (s.Metadata is { } metadata)
        {
            w.WritePropertyName(SessionWire.Metadata.EncodedName);
            metadata.WriteTo(w);
        }

        if (s.ErrorMessage is not null) w.WriteString(SessionWire.ErrorMessage.EncodedName, s.ErrorMessage);
        if (s.InputTokens is { } input) w.WriteNumber(SessionWire.InputTokens.EncodedName, input);
        if (s.OutputTokens is { } output) w.WriteNumber(SessionWire.OutputTokens.EncodedName, output);
        if (s.CostUsd is { } cost) w.WriteNumber(SessionWire.CostUsd.EncodedName, cost);
        PlainFields(w, s);
        if (s.LeaseSeconds is { } lease) w.WriteNumber(SessionWire.LeaseSeconds.EncodedName, lease);
        if (s.AcceptsCommands is { } accepts) w.WriteBoolean(SessionWire.AcceptsCommands.EncodedName, accepts);
        if (s.ParentId is not null) w.WriteString(SessionWire.ParentId.EncodedName, s.ParentId);
    }

    public static void UpdateFields(Utf8JsonWriter w, SessionUpdate u)
    {
        if (u.State is { } state) w.WriteString(SessionWire.State.EncodedName, state.ToWire());
        if (u.Name.HasValue) w.WriteString(SessionWire.Name.EncodedName, u.Name.Value);
        if (u.Labels is not null) Labels(w, u.Labels);
        if (u.Metadata is { } metadata)
        {
            w.WritePropertyName(SessionWire.Metadata.EncodedName);
            metadata.WriteTo(w);
        }

        if (u.ErrorMessage.HasValue) w.WriteString(SessionWire.ErrorMessage.EncodedName, u.ErrorMessage.Value);
        PlainFields(w, u);
        if (u.LeaseSeconds.HasValue)
        {
            if (u.LeaseSeconds.Value is { } lease)
            {
                w.WriteNumber(SessionWire.LeaseSeconds.EncodedName, lease);
            }
            else
            {
                w.WriteNull(SessionWire.LeaseSeconds.EncodedName);
            }
        }

        if (u.ExpectedVersion is { } expected) w.WriteNumber("expected_version", expected);
    }

    public static void UsageFields(Utf8JsonWriter w, Usage usage)
    {
        if (usage.InputTokens != 0) w.WriteNumber(SessionWire.InputTokens.EncodedName, usage.InputTokens);
        if (usage.OutputTokens != 0) w.WriteNumber(SessionWire.OutputTokens.EncodedName, usage.OutputTokens);
        if (usage.CostUsd != 0) w.WriteNumber(SessionWire.CostUsd.EncodedName, usage.CostUsd);
    }

    public static void TerminateFields(Utf8JsonWriter w, string? reason, long? expectedVersion, bool cascade = false)
    {
        if (reason is not null) w.WriteString("reason", reason);
        if (expectedVersion is { } expected) w.WriteNumber("expected_version", expected);
        if (cascade) w.WriteBoolean("cascade", true);
    }

    public static void Labels(Utf8JsonWriter w, IReadOnlyDictionary<string, string> labels)
    {
        w.WriteStartObject(SessionWire.Labels.EncodedName);
        foreach (var (k, v) in labels)
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
    }
}

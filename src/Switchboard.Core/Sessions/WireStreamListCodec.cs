using System.Text.Json;

namespace Switchboard.Core.Sessions;

// Linked into Switchboard.Client with SessionWire (see SessionWire.cs): names no Core or Client type; store parts under !SWITCHBOARD_CLIENT.
/// <summary>One stream of a session, as both sides' types take it apart and build it.</summary>
internal readonly record struct WireStreamValues(string Name, string ContentType, bool Closed);

/// <summary>
/// A session's durable streams (Core's or the client's list type; each side passes how to take an entry apart and
/// build one), written in the order the list holds them (by name).
/// </summary>
internal sealed class WireStreamListCodec<T>(Func<T, WireStreamValues> parts, Func<WireStreamValues, T> build) : WireCodec<IReadOnlyList<T>>
{
    private static readonly JsonEncodedText StreamNameName = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText ContentTypeName = JsonEncodedText.Encode("content_type");
    private static readonly JsonEncodedText ClosedName = JsonEncodedText.Encode("closed");

    /// <inheritdoc />
    public override WireFieldKind Kind => WireFieldKind.Streams;
    /// <inheritdoc />
    public override bool Nullable => false;

    /// <inheritdoc />
    public override bool Equal(IReadOnlyList<T> a, IReadOnlyList<T> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (parts(a[i]) != parts(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, JsonEncodedText name, IReadOnlyList<T> value)
    {
        writer.WritePropertyName(name);
        WriteValue(writer, value);
    }

    /// <summary>Writes the array alone.</summary>
    public void WriteValue(Utf8JsonWriter writer, IReadOnlyList<T> value)
    {
        writer.WriteStartArray();
        foreach (var entry in value)
        {
            var p = parts(entry);
            writer.WriteStartObject();
            writer.WriteString(StreamNameName, p.Name);
            writer.WriteString(ContentTypeName, p.ContentType);
            writer.WriteBoolean(ClosedName, p.Closed);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public override IReadOnlyList<T> Read(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var list = new List<T>(e.GetArrayLength());
        foreach (var item in e.EnumerateArray())
        {
            list.Add(build(new WireStreamValues(
                item.GetProperty("name").GetString() ?? "",
                item.GetProperty("content_type").GetString() ?? "",
                item.TryGetProperty("closed", out var closed) && closed.ValueKind == JsonValueKind.True)));
        }

        return list;
    }

#if !SWITCHBOARD_CLIENT
    /// <inheritdoc />
    public override void ToColumn(ISessionRowWriter row, int ordinal, string column, IReadOnlyList<T> value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteValue(writer, value);
        }

        row.Text(ordinal, column, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <inheritdoc />
    public override IReadOnlyList<T> FromColumn(ISessionRowReader row, int ordinal)
    {
        if (row.IsNull(ordinal))
        {
            return [];
        }

        using var document = JsonDocument.Parse(row.Text(ordinal));
        return Read(document.RootElement);
    }
#endif
}

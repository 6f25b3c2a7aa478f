using System.Buffers;
using System.Text.Json;

namespace Switchboard.Core.Json;

/// <summary>JSON the product stores and sends, written to bytes: never HTML, so non-ASCII text stays UTF-8, not escaped.</summary>
internal static class JsonBytes
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>What <paramref name="body"/> writes, as UTF-8 bytes.</summary>
    public static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            body(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes <c>"name": raw</c>, the stored JSON text as it is, or <c>"name": null</c>.</summary>
    public static void WriteRawOrNull(Utf8JsonWriter writer, string name, string? raw)
    {
        writer.WritePropertyName(name);
        if (raw is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(raw, skipInputValidation: true);
        }
    }

    /// <summary>The time in property <paramref name="name"/> of <paramref name="e"/>; null when it is JSON null.</summary>
    public static DateTimeOffset? Time(JsonElement e, string name) =>
        e.GetProperty(name).GetString() is { } text ? WireTime.Parse(text) : null;
}

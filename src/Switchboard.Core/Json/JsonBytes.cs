using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Switchboard.Core.Json;

/// <summary>JSON the product stores and sends, written to bytes: never HTML, so non-ASCII text stays UTF-8, not escaped.</summary>
internal static class JsonBytes
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>What <paramref name="body"/> writes, as UTF-8 bytes.</summary>
    public static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var scratch = Scratch.Take();
        return scratch.Run(body).ToArray();
    }

    /// <summary>What <paramref name="body"/> writes, as text.</summary>
    public static string WriteText(Action<Utf8JsonWriter> body)
    {
        using var scratch = Scratch.Take();
        return Encoding.UTF8.GetString(scratch.Run(body));
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

    /// <summary>
    /// A thread's buffer and writer, kept between the short writes above (a hook's commit makes a dozen) instead of a new
    /// pair each time. Taken while in use and given back when disposed, so a write inside a write gets a pair of its own;
    /// a buffer grown past <see cref="KeptCapacity"/> is not kept, so no thread holds on to one large document.
    /// </summary>
    private sealed class Scratch : IDisposable
    {
        private const int KeptCapacity = 16 * 1024;

        [ThreadStatic]
        private static Scratch? t_kept;

        private readonly ArrayBufferWriter<byte> _buffer = new(512);
        private readonly Utf8JsonWriter _writer;

        private Scratch() => _writer = new Utf8JsonWriter(_buffer, WriterOptions);

        public static Scratch Take()
        {
            var kept = t_kept;
            t_kept = null;
            return kept ?? new Scratch();
        }

        /// <summary>Runs <paramref name="body"/> on an empty buffer; what it wrote, valid until <see cref="Dispose"/>.</summary>
        public ReadOnlySpan<byte> Run(Action<Utf8JsonWriter> body)
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            body(_writer);
            _writer.Flush();
            return _buffer.WrittenSpan;
        }

        public void Dispose()
        {
            if (_buffer.Capacity <= KeptCapacity)
            {
                t_kept = this;
            }
        }
    }
}

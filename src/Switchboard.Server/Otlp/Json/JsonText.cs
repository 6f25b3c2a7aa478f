using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Switchboard.Server.Otlp.Json;

/// <summary>
/// JSON strings as protobuf bytes. An escaped lone surrogate (<c>"\ud83d"</c>, which JavaScript exporters write for a
/// string cut in the middle of an emoji) becomes U+FFFD, as the old decoder mended it before parsing: telemetry is
/// never refused for a value. A string without escapes is copied as it lies.
/// </summary>
internal static class JsonText
{
    private static readonly byte[] Replacement = [0xEF, 0xBF, 0xBD];

    /// <summary>The current string as a length and its UTF-8 bytes.</summary>
    public static void WriteString(ref Utf8JsonReader reader, ref ProtoWriter writer)
    {
        if (!reader.ValueIsEscaped)
        {
            writer.Bytes(reader.ValueSpan);
            return;
        }

        // Unescaped, a string is never longer than its escaped text; its length is filled in once known.
        var start = writer.StartMessage();
        writer.Advance(Unescape(reader.ValueSpan, writer.Take(reader.ValueSpan.Length)));
        writer.EndMessage(start);
    }

    /// <summary>A string (or property name) unescaped, in <paramref name="scratch"/> if it fits.</summary>
    public static ReadOnlySpan<byte> Unescaped(ReadOnlySpan<byte> escaped, Span<byte> scratch)
    {
        var into = escaped.Length <= scratch.Length ? scratch : new byte[escaped.Length];
        return into[..Unescape(escaped, into)];
    }

    public static string Text(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return Encoding.UTF8.GetString(reader.ValueSpan);
        }

        var rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            return Encoding.UTF8.GetString(rented, 0, Unescape(reader.ValueSpan, rented));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// A trace or span id: hex text as its bytes. The old decoder read ids as base64 and took the base64 text of those
    /// bytes as hex, so any other text is read that way here (<paramref name="base64"/> refuses what is not base64, and
    /// what is base64 but not hex is an empty id, whose record the mapping refuses).
    /// </summary>
    public static void WriteId(ref Utf8JsonReader reader, ref ProtoWriter writer, Func<string, ReadOnlyMemory<byte>> base64)
    {
        var text = reader.ValueSpan;
        if (!reader.ValueIsEscaped && text.Length % 4 == 0)
        {
            // Ids are 8 or 16 bytes; anything longer is hostile or odd and may take an array.
            var bytes = text.Length <= 128 ? stackalloc byte[text.Length / 2] : new byte[text.Length / 2];
            if (Convert.FromHexString(text, bytes, out _, out _) == OperationStatus.Done)
            {
                writer.Bytes(bytes);
                return;
            }
        }

        byte[] id;
        try
        {
            id = Convert.FromHexString(Convert.ToBase64String(base64(Text(ref reader)).Span));
        }
        catch (FormatException)
        {
            id = [];
        }

        writer.Bytes(id);
    }

    /// <summary>Unescapes JSON string text the reader has checked; returns the bytes written.</summary>
    private static int Unescape(ReadOnlySpan<byte> text, Span<byte> into)
    {
        var written = 0;
        for (var i = 0; i < text.Length;)
        {
            var slash = text[i..].IndexOf((byte)'\\');
            var plain = slash < 0 ? text[i..] : text.Slice(i, slash);
            plain.CopyTo(into[written..]);
            (written, i) = (written + plain.Length, i + plain.Length);
            if (slash < 0)
            {
                break;
            }

            var escaped = text[i + 1];
            i += 2;
            if (escaped != 'u')
            {
                into[written++] = escaped switch
                {
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    _ => escaped, // " \ /
                };
                continue;
            }

            var unit = Unit(text.Slice(i, 4));
            i += 4;
            var scalar = (int)unit;
            if (char.IsHighSurrogate(unit) && i + 6 <= text.Length && text[i] == '\\' && text[i + 1] == 'u' && char.IsLowSurrogate(Unit(text.Slice(i + 2, 4))))
            {
                scalar = char.ConvertToUtf32(unit, Unit(text.Slice(i + 2, 4)));
                i += 6;
            }
            else if (char.IsSurrogate(unit))
            {
                Replacement.CopyTo(into[written..]);
                written += 3;
                continue;
            }

            written += new Rune(scalar).EncodeToUtf8(into[written..]);
        }

        return written;
    }

    private static char Unit(ReadOnlySpan<byte> hex) =>
        (char)ushort.Parse(hex, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);
}

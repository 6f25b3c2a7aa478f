using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Switchboard.Server.Hooks;

/// <summary>
/// A JSON string of a hook body as text, whatever the agent sent. <see cref="JsonElement.GetString"/> throws on invalid
/// UTF-8 and on a lone surrogate escape (which Node's <c>JSON.stringify</c> writes for a lone surrogate), so the string
/// is decoded from its bytes instead: invalid UTF-8 becomes U+FFFD, and a lone surrogate is left for
/// <see cref="Switchboard.Server.Otlp.Mapping.TelemetryText.Clean"/> to replace.
/// </summary>
internal static class HookText
{
    /// <summary>The text of <paramref name="value"/>, a JSON string.</summary>
    public static string Decode(JsonElement value) => Decode(JsonMarshal.GetRawUtf8Value(value)[1..^1]); // without its quotes

    /// <summary>The text of a JSON string's raw UTF-8 between its quotes (a value's, or a property's name).</summary>
    public static string Decode(ReadOnlySpan<byte> raw)
    {
        var text = new StringBuilder(raw.Length);
        // An escape starts with '\', which is never part of a multi-byte sequence, so the runs between escapes decode alone.
        for (var at = raw.IndexOf((byte)'\\'); at >= 0; at = raw.IndexOf((byte)'\\'))
        {
            text.Append(Encoding.UTF8.GetString(raw[..at]));
            if (raw[at + 1] == (byte)'u')
            {
                // The parser has checked the four hex digits; a surrogate pair arrives as two escapes, each one half.
                Utf8Parser.TryParse(raw.Slice(at + 2, 4), out ushort unit, out _, 'X');
                text.Append((char)unit);
                raw = raw[(at + 6)..];
            }
            else
            {
                text.Append(raw[at + 1] switch
                {
                    (byte)'b' => '\b',
                    (byte)'f' => '\f',
                    (byte)'n' => '\n',
                    (byte)'r' => '\r',
                    (byte)'t' => '\t',
                    var c => (char)c, // '"', '\' and '/' stand for themselves
                });
                raw = raw[(at + 2)..];
            }
        }

        return text.Append(Encoding.UTF8.GetString(raw)).ToString();
    }
}

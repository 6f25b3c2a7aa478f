using System.Text;
using System.Text.Json;

namespace Switchboard.Core.Json;

/// <summary>
/// JSON written compact, escaping only what JSON requires (<c>"</c>, <c>\</c> and control characters), so its UTF-8
/// length is the size a limit in "bytes of JSON" means. System.Text.Json's encoders escape every character outside the
/// Basic Multilingual Plane: an emoji (4 UTF-8 bytes) became <c>\ud83d\ude00</c> (12), and counted three times over.
/// </summary>
internal static class CompactJson
{
    /// <summary>The value as compact JSON text. Its strings must be text (checked where input arrives, see <see cref="JsonStrings"/>).</summary>
    public static string Write(JsonElement value) => Write(value, int.MaxValue);

    /// <summary>
    /// The value as compact JSON text with every string value longer than <paramref name="maxStringLength"/> characters
    /// cut to that many and an ellipsis (never inside a surrogate pair); property names are kept whole.
    /// </summary>
    public static string Write(JsonElement value, int maxStringLength)
    {
        var text = new StringBuilder();
        Append(text, value, maxStringLength);
        return text.ToString();
    }

    private static void Append(StringBuilder text, JsonElement value, int cap)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                text.Append('{');
                var firstProperty = true;
                foreach (var property in value.EnumerateObject())
                {
                    if (!firstProperty)
                    {
                        text.Append(',');
                    }

                    firstProperty = false;
                    AppendString(text, property.Name);
                    text.Append(':');
                    Append(text, property.Value, cap);
                }

                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var firstItem = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!firstItem)
                    {
                        text.Append(',');
                    }

                    firstItem = false;
                    Append(text, item, cap);
                }

                text.Append(']');
                break;
            case JsonValueKind.String:
                var s = value.GetString()!;
                AppendString(text, s.Length <= cap ? s : s[..(cap > 0 && char.IsHighSurrogate(s[cap - 1]) ? cap - 1 : cap)] + "…");
                break;
            default:
                text.Append(value.GetRawText()); // numbers, true, false, null: their raw text has no whitespace
                break;
        }
    }

    private static void AppendString(StringBuilder text, string s)
    {
        text.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                case < ' ':
                    text.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        text.Append('"');
    }
}

using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Switchboard.Core.Json;

namespace Switchboard.Server.Hooks;

/// <summary>
/// A hook's <c>tool_input</c> made fit to keep and to send back: an agent may send invalid UTF-8 or a lone surrogate
/// escape, which <see cref="JsonElement.GetString"/> throws on and PostgreSQL refuses, so such a string is decoded
/// leniently (<see cref="HookText"/>) and each lone surrogate becomes U+FFFD. Clean input (nearly all) is returned as it is.
/// </summary>
internal static class HookInput
{
    /// <summary>The object or array with every string (names too) text; <paramref name="input"/> itself when it already is, or is neither.</summary>
    public static JsonElement Mend(JsonElement input)
    {
        if (input.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array) || JsonStrings.FindNotText(input) is null)
        {
            return input;
        }

        using var doc = JsonDocument.Parse(JsonBytes.Write(w => Copy(w, input)));
        return doc.RootElement.Clone();
    }

    private static void Copy(Utf8JsonWriter w, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (var p in value.EnumerateObject())
                {
                    w.WritePropertyName(Text(HookText.Decode(JsonMarshal.GetRawUtf8PropertyName(p))));
                    Copy(w, p.Value);
                }

                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Copy(w, item);
                }

                w.WriteEndArray();
                break;
            case JsonValueKind.String:
                w.WriteStringValue(Text(HookText.Decode(value)));
                break;
            default:
                value.WriteTo(w);
                break;
        }
    }

    /// <summary>The text with each lone surrogate replaced by U+FFFD.</summary>
    private static string Text(string s)
    {
        StringBuilder? mended = null;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            var paired = char.IsHighSurrogate(c) ? i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) : !char.IsLowSurrogate(c);
            if (!paired)
            {
                (mended ??= new StringBuilder(s.Length).Append(s, 0, i)).Append('\uFFFD');
                continue;
            }

            if (char.IsHighSurrogate(c))
            {
                mended?.Append(c).Append(s[i + 1]);
                i++;
                continue;
            }

            mended?.Append(c);
        }

        return mended?.ToString() ?? s;
    }
}

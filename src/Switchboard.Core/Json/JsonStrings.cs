using System.Runtime.InteropServices;
using System.Text.Json;

namespace Switchboard.Core.Json;

/// <summary>Where a JSON document holds something that is not text: a string or a field name, under a path.</summary>
internal readonly record struct NotText(string Path, bool InFieldName);

/// <summary>
/// JSON can escape a lone UTF-16 surrogate (<c>"\ud800"</c>, a reversed pair), which is no text: System.Text.Json
/// refuses to decode it wherever the string is read. Input is checked once, where it arrives, so no handler meets one.
/// </summary>
internal static class JsonStrings
{
    /// <summary>
    /// The first string or field name under <paramref name="value"/> that is not text, or null; with
    /// <paramref name="shallow"/>, only its own field names and string values.
    /// </summary>
    public static NotText? FindNotText(JsonElement value, string path = "", bool shallow = false) =>
        Find(value, path, shallow ? 1 : int.MaxValue);

    private static NotText? Find(JsonElement value, string path, int depth)
    {
        if (depth < 0)
        {
            return null;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return IsText(JsonMarshal.GetRawUtf8Value(value), () => value.GetString()) ? null : new NotText(path, false);
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (Find(item, $"{path}[{i++}]", depth - 1) is { } inItem)
                    {
                        return inItem;
                    }
                }

                return null;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    if (!IsText(JsonMarshal.GetRawUtf8PropertyName(property), () => property.Name))
                    {
                        return new NotText(path, true);
                    }

                    if (Find(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}", depth - 1) is { } inValue)
                    {
                        return inValue;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Only an escaped string can hold a lone surrogate (UTF-8 input is validated first), so only those are decoded.</summary>
    private static bool IsText(ReadOnlySpan<byte> raw, Func<string?> decode)
    {
        if (raw.IndexOf("\\u"u8) < 0)
        {
            return true;
        }

        try
        {
            _ = decode();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

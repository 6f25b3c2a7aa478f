using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Switchboard.Core.Sessions;

// Linked into Switchboard.Client with the rest of SessionWire (see SessionWire.cs).
/// <summary>Label maps, timestamps and decimals as the wire has them.</summary>
static partial class SessionWire
{
    /// <summary>Compares two label maps by content.</summary>
    public static bool LabelsEqual(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        if (a is Dictionary<string, string> concrete)
        {
            // The struct enumerator: no boxed enumerator per comparison.
            foreach (var (k, v) in concrete)
            {
                if (!b.TryGetValue(k, out var other) || other != v)
                {
                    return false;
                }
            }

            return true;
        }

        foreach (var (k, v) in a)
        {
            if (!b.TryGetValue(k, out var other) || other != v)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes a label map as a JSON object, keys in ordinal order.</summary>
    public static void WriteLabels(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> labels)
    {
        writer.WriteStartObject();
        var count = labels.Count;
        if (count > 0)
        {
            // Keys sorted in a pooled array; a Dictionary is walked with its struct enumerator (no boxed enumerator).
            var keys = ArrayPool<string>.Shared.Rent(count);
            var n = 0;
            if (labels is Dictionary<string, string> concrete)
            {
                foreach (var pair in concrete)
                {
                    keys[n++] = pair.Key;
                }
            }
            else
            {
                foreach (var (key, _) in labels)
                {
                    keys[n++] = key;
                }
            }

            if (n > 1)
            {
                Array.Sort(keys, 0, n, StringComparer.Ordinal);
            }

            for (var i = 0; i < n; i++)
            {
                writer.WriteString(keys[i], labels[keys[i]]);
            }

            Array.Clear(keys, 0, n);
            ArrayPool<string>.Shared.Return(keys);
        }

        writer.WriteEndObject();
    }

    /// <summary>A label map as compact JSON text, keys in ordinal order: how stores keep labels.</summary>
    public static string LabelsToText(IReadOnlyDictionary<string, string> labels)
    {
        if (labels.Count == 0)
        {
            return "{}";
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteLabels(writer, labels);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads label text written by <see cref="LabelsToText"/>.</summary>
    public static IReadOnlyDictionary<string, string> LabelsFromText(string json)
    {
        if (json == "{}")
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        using var doc = JsonDocument.Parse(json);
        return ReadLabels(doc.RootElement);
    }

    /// <summary>Reads a label map (anything but an object reads as no labels).</summary>
    public static Dictionary<string, string> ReadLabels(JsonElement e)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                labels[p.Name] = p.Value.GetString() ?? "";
            }
        }

        return labels;
    }

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>Formats a wire timestamp as UTF-8 into <paramref name="buffer"/> (32 bytes are enough).</summary>
    public static int FormatTime(DateTimeOffset value, Span<byte> buffer)
    {
        value.UtcDateTime.TryFormat(buffer, out var written, TimeFormat, CultureInfo.InvariantCulture);
        return written;
    }

    /// <summary>Parses a wire timestamp.</summary>
    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>Removes trailing zeros so 1.50 is written as 1.5 and stored text stays canonical.</summary>
    public static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;
}

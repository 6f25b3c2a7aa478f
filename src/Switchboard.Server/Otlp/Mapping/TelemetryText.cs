using System.Buffers;
using System.Text;

namespace Switchboard.Otlp.Mapping;

/// <summary>
/// Text from a record that reaches a session or the store (labels, the name, error messages, dedupe keys). A U+0000 is
/// dropped and a lone surrogate becomes U+FFFD: PostgreSQL refuses both (NUL in <c>text</c> and <c>jsonb</c>, an unpaired
/// surrogate in any UTF-8), and one such value would fail every write of its group commit. Telemetry is never refused
/// for a value, so it is mended here instead. Clipped to a length without splitting a surrogate pair.
/// </summary>
internal static class TelemetryText
{
    private static readonly SearchValues<char> Suspect = SearchValues.Create("\0" + string.Concat(Enumerable.Range(0xD800, 0x800).Select(c => (char)c)));

    /// <summary><paramref name="value"/> without NUL and lone surrogates, at most <paramref name="max"/> characters; itself when it is clean and short.</summary>
    public static string Clean(string value, int max)
    {
        if (!value.AsSpan().ContainsAny(Suspect))
        {
            return value.Length <= max ? value : value[..max];
        }

        var text = new StringBuilder(Math.Min(value.Length, max));
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                if (text.Length + 2 > max)
                {
                    break;
                }

                text.Append(c).Append(value[++i]);
                continue;
            }

            if (text.Length + 1 > max)
            {
                break;
            }

            text.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
        }

        return text.ToString();
    }
}

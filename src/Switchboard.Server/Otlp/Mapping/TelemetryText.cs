using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Server.Otlp.Mapping;

/// <summary>
/// Text from a record that reaches a session or the store (labels, the name, error messages, dedupe keys). A U+0000 is
/// dropped and a lone surrogate becomes U+FFFD: PostgreSQL refuses both (NUL in <c>text</c> and <c>jsonb</c>, an unpaired
/// surrogate in any UTF-8), and one such value would fail every write of its group commit. Telemetry is never refused
/// for a value, so it is mended here instead. Clipped to a length without splitting a surrogate pair.
/// </summary>
internal static class TelemetryText
{
    /// <summary>
    /// The most characters (UTF-16 code units) of an attribute value the mapping looks at: cleaning, hashing, parsing and
    /// deriving an id read only a value's <see cref="Head"/>, so a value costs at most this much however long it is, and
    /// a value of millions of NULs is not walked to its end. Above every limit of a field a value reaches (the longest,
    /// an error message, is <see cref="Switchboard.Core.Sessions.SessionLimits.MaxErrorMessageLength"/>).
    /// </summary>
    public const int MaxValueLength = 4096;

    private static readonly SearchValues<char> Suspect = SearchValues.Create("\0" + string.Concat(Enumerable.Range(0xD800, 0x800).Select(c => (char)c)));

    /// <summary>The part of <paramref name="value"/> the mapping looks at: its first <see cref="MaxValueLength"/> characters.</summary>
    public static ReadOnlySpan<char> Head(string value) => value.AsSpan(0, Math.Min(value.Length, MaxValueLength));

    /// <summary>The first 32 hex digits of the SHA-256 of <paramref name="value"/>'s <see cref="Head"/> in UTF-8: what stands for a value too long or unclean to use.</summary>
    public static string Digest(string value)
    {
        var head = Head(value);
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(head.Length));
        var digest = Hex(bytes.AsSpan(0, Encoding.UTF8.GetBytes(head, bytes)));
        ArrayPool<byte>.Shared.Return(bytes);
        return digest;
    }

    /// <summary>The first 32 hex digits of the SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes, hash);
        return Convert.ToHexStringLower(hash[..16]);
    }

    /// <summary>
    /// The <see cref="Head"/> of <paramref name="value"/> without NUL and lone surrogates, at most <paramref name="max"/>
    /// characters; <paramref name="value"/> itself when it is clean and short.
    /// </summary>
    public static string Clean(string value, int max)
    {
        var head = Head(value);
        if (!head.ContainsAny(Suspect))
        {
            return head.Length == value.Length && value.Length <= max ? value : new string(head[..Math.Min(head.Length, max)]);
        }

        var text = new StringBuilder(Math.Min(head.Length, max));
        for (var i = 0; i < head.Length; i++)
        {
            var c = head[i];
            if (c == '\0')
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < head.Length && char.IsLowSurrogate(head[i + 1]))
            {
                if (text.Length + 2 > max)
                {
                    break;
                }

                text.Append(c).Append(head[++i]);
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

using System.Globalization;

namespace Switchboard.Core.Streams;

/// <summary>
/// A position in a stream as the protocol's opaque offset: <c>{segment}_{position}</c>, two runs of 16 decimal digits,
/// so the offsets of one stream sort lexicographically in stream order (the protocol's only promise to clients) and
/// never contain the characters it reserves (<c>, &amp; = ? /</c>). The position counts the bytes stored before it; the
/// segment is always 0 in this version and is kept so a later layout (a compacted prefix, say) can move past every old
/// offset without breaking the order. <c>0000000000000000_0000000000000000</c> is the start of every stream.
/// </summary>
internal static class StreamOffset
{
    /// <summary>Digits in each half.</summary>
    public const int Digits = 16;

    /// <summary>The largest position an offset can name: the most bytes a stream can hold.</summary>
    public const long MaxPosition = 9_999_999_999_999_999;

    /// <summary>The offset of the stream's start, before any byte.</summary>
    public static readonly string Start = Format(0);

    /// <summary>The offset of <paramref name="position"/>.</summary>
    public static string Format(long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(position, MaxPosition);
        return string.Create(Digits * 2 + 1, position, static (span, p) =>
        {
            span[..Digits].Fill('0');
            span[Digits] = '_';
            p.TryFormat(span[(Digits + 1)..], out _, "D16", CultureInfo.InvariantCulture);
        });
    }

    /// <summary>The position an offset names, if it is one this server mints (segment 0, both halves 16 digits).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out long position)
    {
        position = 0;
        if (text.Length != Digits * 2 + 1 || text[Digits] != '_' || !AllDigits(text[..Digits]) || !AllDigits(text[(Digits + 1)..]))
        {
            return false;
        }

        // A segment other than 0 was never minted; the digits-only check makes the parse exact.
        return long.Parse(text[..Digits], NumberStyles.None, CultureInfo.InvariantCulture) == 0
            && long.TryParse(text[(Digits + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out position);
    }

    private static bool AllDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Where a read starts, as the <c>offset</c> query parameter names it.</summary>
internal readonly record struct ReadStart(ReadStartKind Kind, long Position)
{
    /// <summary>The stream's beginning (<c>-1</c>, or no offset at all).</summary>
    public static ReadStart Beginning { get; } = new(ReadStartKind.Beginning, 0);

    /// <summary>The stream's tail as the read finds it (<c>now</c>).</summary>
    public static ReadStart Now { get; } = new(ReadStartKind.Now, 0);

    /// <summary>Parses <c>-1</c>, <c>now</c> or an offset this server minted.</summary>
    public static bool TryParse(string text, out ReadStart start)
    {
        switch (text)
        {
            case "-1":
                start = Beginning;
                return true;
            case "now":
                start = Now;
                return true;
        }

        var ok = StreamOffset.TryParse(text, out var position);
        start = ok ? new ReadStart(ReadStartKind.Position, position) : default;
        return ok;
    }
}

/// <summary>The three kinds of read start.</summary>
internal enum ReadStartKind
{
    /// <summary>From the first byte.</summary>
    Beginning,

    /// <summary>From the tail: only what is appended later.</summary>
    Now,

    /// <summary>From a position an earlier response named.</summary>
    Position,
}

namespace Switchboard.Core.Streams;

/// <summary>
/// What a stream's path may be: the part of its URL after the streams root, as the router decoded it. Segments of
/// URL-safe characters (RFC 3986 <c>pchar</c> without percent-encoding), none empty, <c>.</c> or <c>..</c> (which a
/// browser or proxy would fold away, so two spellings could reach one stream), at most <see cref="MaxLength"/> characters,
/// and not under the protocol's reserved control prefix <c>__ds</c>.
/// </summary>
internal static class StreamPath
{
    /// <summary>The longest path, in characters (all ASCII).</summary>
    public const int MaxLength = 512;

    /// <summary>The first segment the protocol reserves for its control APIs.</summary>
    public const string ReservedControlSegment = "__ds";

    /// <summary>Why <paramref name="path"/> cannot name a stream, or null when it can.</summary>
    public static string? Problem(string path)
    {
        if (path.Length == 0)
        {
            return "The stream path is empty: name the stream after the streams root, e.g. 'runs/42/output'.";
        }

        if (path.Length > MaxLength)
        {
            return $"The stream path is {path.Length} characters long; the most is {MaxLength}.";
        }

        var start = 0;
        while (start <= path.Length)
        {
            var end = path.IndexOf('/', start);
            if (end < 0)
            {
                end = path.Length;
            }

            var segment = path.AsSpan(start, end - start);
            if (segment.Length == 0 || segment is "." or "..")
            {
                return "The stream path has an empty, '.' or '..' segment; each segment between slashes must name something.";
            }

            if (start == 0 && segment.SequenceEqual(ReservedControlSegment))
            {
                return $"Stream paths under '{ReservedControlSegment}/' are reserved for the protocol's control APIs.";
            }

            foreach (var c in segment)
            {
                if (!IsPathChar(c))
                {
                    return $"The stream path contains '{Printable(c)}'; use letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @ in segments separated by '/'.";
                }
            }

            start = end + 1;
        }

        return null;
    }

    private static bool IsPathChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or ':' or '@';

    private static string Printable(char c) => char.IsControl(c) || c > '~' ? $"\\u{(int)c:x4}" : c.ToString();
}

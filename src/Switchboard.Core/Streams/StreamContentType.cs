namespace Switchboard.Core.Streams;

/// <summary>
/// A stream's content type, fixed at creation. Appends must name the same media type (type and subtype, compared without
/// case; parameters such as <c>charset</c> are carried but not compared). <c>application/json</c> streams keep message
/// boundaries (JSON mode); <c>text/*</c> and JSON streams travel over SSE as text, every other type as base64.
/// </summary>
internal static class StreamContentType
{
    /// <summary>The content type of a stream created without one.</summary>
    public const string Default = "application/octet-stream";

    /// <summary>The longest content type, in characters.</summary>
    public const int MaxLength = 256;

    /// <summary>
    /// <paramref name="header"/> trimmed, if it is a media type (<c>type/subtype</c> of token characters, then optional
    /// parameters of printable ASCII); otherwise null with <paramref name="problem"/> saying why.
    /// </summary>
    public static string? Parse(string header, out string? problem)
    {
        var value = header.Trim();
        problem = null;
        if (value.Length > MaxLength)
        {
            problem = $"The content type is {value.Length} characters long; the most is {MaxLength}.";
            return null;
        }

        var essence = EssenceOf(value);
        var slash = essence.IndexOf('/');
        if (slash <= 0 || slash == essence.Length - 1 || !IsToken(essence[..slash]) || !IsToken(essence[(slash + 1)..])
            || value.Any(c => c < ' ' || c > '~'))
        {
            problem = $"'{Shorten(value)}' is not a media type; send one such as text/plain, application/json or application/octet-stream.";
            return null;
        }

        return value;
    }

    /// <summary>The media type without parameters, lower-case: what appends are compared by.</summary>
    public static string Essence(string contentType) => EssenceOf(contentType).ToLowerInvariant();

    /// <summary>True when both name the same media type.</summary>
    public static bool SameType(string a, string b) => EssenceOf(a).Equals(EssenceOf(b), StringComparison.OrdinalIgnoreCase);

    /// <summary>JSON mode: message boundaries kept, arrays flattened one level, reads answer a JSON array.</summary>
    public static bool IsJson(string contentType) => EssenceOf(contentType).Equals("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Carried over SSE as UTF-8 text (<c>text/*</c> and JSON); everything else is base64-encoded.</summary>
    public static bool IsText(string contentType) =>
        IsJson(contentType) || EssenceOf(contentType).StartsWith("text/", StringComparison.OrdinalIgnoreCase);

    private static string EssenceOf(string contentType)
    {
        var semicolon = contentType.IndexOf(';');
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
    }

    private static bool IsToken(string part) =>
        part.Length > 0 && part.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c));

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}

using Microsoft.AspNetCore.Http;
using Switchboard.Core.Streams;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Streams;

/// <summary>A read's query: <c>offset</c> (once, valid), <c>live</c> (<c>long-poll</c> or <c>sse</c>, which need an offset) and <c>cursor</c>.</summary>
internal sealed record ReadQuery(ReadStart Start, LiveMode Live, string? Cursor)
{
    public static ReadQuery Parse(HttpRequest request)
    {
        var query = request.Query;
        var offsets = query["offset"];
        if (offsets.Count > 1)
        {
            throw Invalid("offset is given more than once; send one.");
        }

        var start = ReadStart.Beginning;
        if (offsets.Count == 1 && !ReadStart.TryParse(offsets[0] ?? "", out start))
        {
            throw Invalid("offset must be -1 (the start), now (the tail), or an offset a response returned in Stream-Next-Offset.");
        }

        var live = query["live"].ToString() switch
        {
            "" when query["live"].Count == 0 => LiveMode.None,
            "long-poll" => LiveMode.LongPoll,
            "sse" => LiveMode.Sse,
            var other => throw Invalid($"live must be long-poll or sse; got '{(other.Length > 32 ? other[..32] : other)}'."),
        };

        if (live != LiveMode.None && offsets.Count == 0)
        {
            throw Invalid($"A live read (live={query["live"]}) needs an offset: -1 for the start, now for the tail, or one a response returned.");
        }

        var cursor = query["cursor"] is { Count: 1 } c && c[0] is { Length: > 0 and <= 32 } value ? value : null;
        return new ReadQuery(start, live, cursor);
    }

    private static RequestException Invalid(string detail) => new(StreamProblems.Invalid(detail));
}

/// <summary>How a read follows the stream.</summary>
internal enum LiveMode
{
    /// <summary>Catch-up: answer with what there is.</summary>
    None,

    /// <summary>Wait for data at the tail, then answer.</summary>
    LongPoll,

    /// <summary>Server-Sent Events: data and control events as the stream grows.</summary>
    Sse,
}

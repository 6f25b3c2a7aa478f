using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Switchboard.Core.Json;
using Switchboard.Core.Storage;
using Switchboard.Core.Streams;
using Switchboard.Server.Http;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Streams.Options;

namespace Switchboard.Server.Streams;

/// <summary>
/// HEAD, catch-up reads and long-polls. A read finds the stream's row and its sources (one statement), renews its TTL
/// when due, then reads the chunks from its offset: at most <see cref="StreamReads.MaxSliceBytes"/> per response. A
/// long-poll at the tail registers with <see cref="StreamWatch"/> and reads again only when the stream moves.
/// </summary>
internal static class StreamReadEndpoints
{
    private const string Immutable = "private, max-age=60, stale-while-revalidate=300";

    /// <param name="hidden">The stream's session is outside the reader's labels scope: answered as a stream that does not exist.</param>
    public static async Task<IResult> HeadAsync(HttpContext http, IStreamStore store, TimeProvider time, bool hidden = false)
    {
        try
        {
            var path = StreamRequests.PathOf(http);
            SessionStreams.AuthorizeKeyRead(http, path);
            var chain = hidden ? null : await store.ReadChainAsync(path, http.RequestAborted);
            http.Response.Headers.CacheControl = "no-store";
            if (StreamReads.Refusal(chain, WireTime.Now(time)) is { } refused)
            {
                return Results.StatusCode(refused == StreamStatus.Gone ? StatusCodes.Status410Gone : StatusCodes.Status404NotFound);
            }

            var stream = chain!.Stream;
            var headers = http.Response.Headers;
            headers.ContentType = stream.ContentType;
            headers[StreamHeaders.NextOffset] = StreamOffset.Format(stream.Tail);
            if (stream.TtlSeconds is { } ttl)
            {
                headers[StreamHeaders.Ttl] = ttl.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (stream.ExpiresAt is { } at)
            {
                headers[StreamHeaders.ExpiresAt] = StreamHeaderValues.Format(at);
            }

            if (stream.Closed)
            {
                headers[StreamHeaders.Closed] = "true";
            }

            return Results.Ok();
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }
    }

    /// <param name="until">When the reader's credential expires (a subscriber token's expiry): a live read ends there, as on the socket.</param>
    /// <param name="hidden">The stream's session is outside the reader's labels scope: answered as a stream that does not exist.</param>
    public static async Task<IResult> ReadAsync(HttpContext http, IStreamStore store, StreamWatch watch, SwitchboardOptions options, TimeProvider time,
        DateTimeOffset? until = null, bool hidden = false)
    {
        try
        {
            var path = StreamRequests.PathOf(http);
            SessionStreams.AuthorizeKeyRead(http, path);
            var query = ReadQuery.Parse(http.Request);
            var now = WireTime.Now(time);
            var chain = hidden ? null : await store.ReadChainAsync(path, http.RequestAborted);
            if (StreamReads.Refusal(chain, now) is { } refused)
            {
                return refused == StreamStatus.Gone ? StreamProblems.Gone(path) : StreamProblems.NotFound(path);
            }

            if (StreamExpiry.Renewed(chain!.Stream, now) is { } renewed)
            {
                await store.RenewAsync(renewed, http.RequestAborted);
            }

            var from = StreamReads.StartOf(query.Start, chain.Stream)
                ?? throw new RequestException(StreamProblems.Invalid("The offset is beyond the stream's tail; read from an offset a response returned."));
            return query.Live switch
            {
                LiveMode.Sse => await StreamSse.ServeAsync(http, store, watch, options.Streams, time, path, chain, from, query, until),
                LiveMode.LongPoll => await LongPollAsync(http, store, watch, options.Streams, time, path, chain, from, query, until),
                _ when query.Start.Kind == ReadStartKind.Now => Tail(http, chain.Stream),
                _ => await CatchUpAsync(http, store, chain, from, cursor: null),
            };
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }
    }

    /// <summary><c>offset=now</c> without a live mode: nothing, and the tail to follow from.</summary>
    private static IResult Tail(HttpContext http, StreamRow stream)
    {
        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        headers[StreamHeaders.NextOffset] = StreamOffset.Format(stream.Tail);
        headers[StreamHeaders.UpToDate] = "true";
        if (stream.Closed)
        {
            headers[StreamHeaders.Closed] = "true";
        }

        return Results.Bytes(StreamContentType.IsJson(stream.ContentType) ? "[]"u8.ToArray() : [], stream.ContentType);
    }

    /// <summary>
    /// Data from <paramref name="from"/>: for a byte stream up to <see cref="StreamReads.MaxResponseBytes"/>, cut at any
    /// byte and written a slice at a time as it is read; for a JSON stream whole messages up to
    /// <see cref="StreamReads.MaxSliceBytes"/>, read before the headers (where it ends is known only then).
    /// </summary>
    private static async Task<IResult> CatchUpAsync(HttpContext http, IStreamStore store, StreamChain chain, long from, string? cursor)
    {
        var stream = chain.Stream;
        if (!StreamContentType.IsJson(stream.ContentType))
        {
            var to = Math.Min(stream.Tail, from + StreamReads.MaxResponseBytes);
            return HeadersOrNotModified(http, stream, from, to, cursor) ?? new ByteRangeResult(store, chain, from, to);
        }

        // A JSON body is the messages copied into one array, so the buffers they were read into go back to the pool at once.
        StreamSlice slice;
        byte[] body;
        using (var buffers = new ChunkBuffers())
        {
            var ranges = chain.Ranges(from, stream.Tail);
            var chunks = ranges.Count == 0 ? [] : await store.ReadChunksAsync(ranges, StreamReads.MaxSliceBytes, buffers, http.RequestAborted);
            slice = StreamReads.Slice(chain, from, ranges, chunks, StreamReads.MaxSliceBytes);
            body = JsonFraming.Wrap(slice.Parts);
        }

        return HeadersOrNotModified(http, stream, from, slice.Next, cursor) ?? Results.Bytes(body, stream.ContentType);
    }

    /// <summary>A catch-up's headers for the data <c>[from, to)</c>; 304 when the client's ETag names exactly that, otherwise null.</summary>
    private static IResult? HeadersOrNotModified(HttpContext http, StreamRow stream, long from, long to, string? cursor)
    {
        var upToDate = to >= stream.Tail;
        var closedAtEnd = upToDate && stream.Closed;
        var headers = http.Response.Headers;
        var etag = $"\"{stream.Id}:{StreamOffset.Format(from)}:{StreamOffset.Format(to)}{(closedAtEnd ? ":c" : "")}\"";
        headers.ETag = etag;
        headers[StreamHeaders.NextOffset] = StreamOffset.Format(to);
        headers.CacheControl = upToDate ? "private, no-cache" : Immutable;
        if (upToDate)
        {
            headers[StreamHeaders.UpToDate] = "true";
        }

        if (closedAtEnd)
        {
            headers[StreamHeaders.Closed] = "true";
        }

        if (cursor is not null && !closedAtEnd)
        {
            headers[StreamHeaders.Cursor] = cursor;
        }

        return Matches(http.Request.Headers.IfNoneMatch, etag) ? Results.StatusCode(StatusCodes.Status304NotModified) : null;
    }

    private static async Task<IResult> LongPollAsync(HttpContext http, IStreamStore store, StreamWatch watch, DurableStreamOptions options,
        TimeProvider time, string path, StreamChain chain, long from, ReadQuery query, DateTimeOffset? until)
    {
        var cursor = StreamCursor.Next(time.GetUtcNow(), query.Cursor, Random.Shared);
        if (from < chain.Stream.Tail || chain.Stream.Closed)
        {
            return from < chain.Stream.Tail ? await CatchUpAsync(http, store, chain, from, cursor) : NoData(http, chain.Stream, from, cursor);
        }

        using var waiter = watch.TryWatch(chain.Stream.Id);
        if (waiter is null)
        {
            return StreamProblems.Busy();
        }

        var started = time.GetTimestamp();
        var id = chain.Stream.Id;
        while (true)
        {
            // Armed before the read: an append that lands after it wakes the wait below, even if it lands before the wait.
            waiter.Rearm();
            var current = await store.ReadChainAsync(path, http.RequestAborted);
            var refused = current?.Stream.Id == id ? StreamReads.Refusal(current, WireTime.Now(time)) : StreamStatus.NotFound;
            if (refused is not null)
            {
                return refused == StreamStatus.Gone ? StreamProblems.Gone(path) : StreamProblems.NotFound(path);
            }

            if (from < current!.Stream.Tail)
            {
                return await CatchUpAsync(http, store, current, from, cursor);
            }

            var remaining = StreamReads.Within(options.LongPollTimeout - time.GetElapsedTime(started), until, time.GetUtcNow());
            if (current.Stream.Closed || watch.IsStopping || remaining <= TimeSpan.Zero
                || !await waiter.WaitAsync(remaining, http.RequestAborted))
            {
                return NoData(http, current.Stream, from, cursor);
            }
        }
    }

    /// <summary>A long-poll with nothing new: 204, the position to ask from next, and end of stream if it is closed.</summary>
    private static IResult NoData(HttpContext http, StreamRow stream, long position, string cursor)
    {
        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        headers[StreamHeaders.NextOffset] = StreamOffset.Format(position);
        headers[StreamHeaders.UpToDate] = "true";
        if (stream.Closed && position >= stream.Tail)
        {
            headers[StreamHeaders.Closed] = "true";
        }
        else
        {
            headers[StreamHeaders.Cursor] = cursor;
        }

        return Results.NoContent();
    }

    private static bool Matches(StringValues ifNoneMatch, string etag)
    {
        foreach (var value in ifNoneMatch)
        {
            foreach (var tag in (value ?? "").Split(','))
            {
                var t = tag.Trim();
                if (t == etag || t == "W/" + etag)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Writes bytes <c>[from, to)</c> of a byte stream, reading them a slice at a time into rented buffers, so a response
    /// of <see cref="StreamReads.MaxResponseBytes"/> holds one slice in memory. The length is promised up front: if the
    /// data goes away under the response (the stream was deleted) or the store fails once bytes are on the wire, the
    /// connection is aborted and the client's next request learns why; before that, the answer is 404 or 503.
    /// </summary>
    private sealed class ByteRangeResult(IStreamStore store, StreamChain chain, long from, long to) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            var ct = httpContext.RequestAborted;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = chain.Stream.ContentType;
            response.ContentLength = to - from;
            var position = from;
            while (position < to)
            {
                var ranges = chain.Ranges(position, to);
                using var buffers = new ChunkBuffers();
                StreamSlice slice;
                try
                {
                    slice = StreamReads.Slice(chain, position, ranges, await store.ReadChunksAsync(ranges, StreamReads.MaxSliceBytes, buffers, ct),
                        StreamReads.MaxSliceBytes);
                }
                catch (StoreUnavailableException ex)
                {
                    await FailAsync(httpContext, UnavailableProblem.For(ex, "The stream was not read"));
                    return;
                }

                if (slice.Next == position)
                {
                    await FailAsync(httpContext, StreamProblems.NotFound(StreamRequests.PathOf(httpContext)));
                    return;
                }

                foreach (var part in slice.Parts)
                {
                    await response.Body.WriteAsync(part, ct);
                }

                position = slice.Next;
            }
        }

        private static Task FailAsync(HttpContext httpContext, IResult problem)
        {
            if (httpContext.Response.HasStarted)
            {
                httpContext.Abort();
                return Task.CompletedTask;
            }

            httpContext.Response.Clear();
            return problem.ExecuteAsync(httpContext);
        }
    }
}

using Microsoft.AspNetCore.Http;
using Switchboard.Core.Storage;
using Switchboard.Core.Streams;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;
using Switchboard.Server.Streams.Options;

namespace Switchboard.Server.Streams;

/// <summary>
/// The event log's topics as read-only JSON streams: <c>/v1/stream/topics/sessions</c> (with <c>label=key=value</c>
/// filters), <c>topics/session:{id}</c> (with <c>subtree=true</c>), <c>topics/alerts</c> and <c>topics/commands</c>. Each
/// message is the envelope the Phoenix socket sends for the event; an offset is the seq read up to, so a client resumes
/// exactly. <c>-1</c> is the oldest event retained, and an offset older than that is answered 410 (never a silent gap).
/// Readers authenticate as on the socket: an API key of any scope, or a subscriber token (<c>Authorization: Bearer</c> or
/// <c>?token=</c>, as a page's EventSource cannot set headers) whose topics cover it, under its labels scope. Live reads
/// wait for this node's live core to apply new events, then read them from the store.
/// </summary>
internal static class TopicStreamEndpoints
{
    public const string Prefix = "topics";

    public static async Task<IResult> ReadAsync(HttpContext http, ISessionStore store, TopicStreamReader reader, LiveHub live, StreamAuthenticator auth,
        StreamWatch watch, SwitchboardOptions options, TimeProvider time)
    {
        try
        {
            var query = ReadQuery.Parse(http.Request);
            var (topic, grant) = await AuthorizeAsync(http, live, auth, time);
            var bounds = await store.GetLogBoundsAsync(http.RequestAborted);
            var start = query.Start.Kind switch
            {
                ReadStartKind.Beginning => bounds.FirstSeq - 1,
                ReadStartKind.Now => bounds.HeadSeq,
                _ when query.Start.Position < bounds.FirstSeq - 1 => throw new RequestException(new ProblemResult(StatusCodes.Status410Gone,
                    "offset_retained_no_longer", "Gone",
                    $"Events up to seq {bounds.FirstSeq - 1} are past retention; read from offset=-1 (the oldest retained) or GET /api/sessions for the current state.")),
                _ when query.Start.Position > bounds.HeadSeq => throw new RequestException(StreamProblems.Invalid(
                    "The offset is beyond the log's head; read from an offset a response returned.")),
                _ => query.Start.Position,
            };

            return query.Live switch
            {
                LiveMode.None when query.Start.Kind == ReadStartKind.Now => Tail(http, start),
                LiveMode.None => Answer(http, await reader.ReadAsync(topic, start, bounds.HeadSeq, http.RequestAborted), live.Epoch, start, cursor: null),
                LiveMode.LongPoll => await LongPollAsync(http, store, reader, live, watch, options.Streams, time, topic, start, query, grant),
                _ => await TopicSse.ServeAsync(http, store, reader, live, watch, options.Streams, time, topic, start, query, grant),
            };
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }
    }

    public static async Task<IResult> HeadAsync(HttpContext http, ISessionStore store, LiveHub live, StreamAuthenticator auth, TimeProvider time)
    {
        try
        {
            await AuthorizeAsync(http, live, auth, time);
            var bounds = await store.GetLogBoundsAsync(http.RequestAborted);
            var headers = http.Response.Headers;
            headers.ContentType = "application/json";
            headers.CacheControl = "no-store";
            headers[StreamHeaders.NextOffset] = StreamOffset.Format(bounds.HeadSeq);
            return Results.Ok();
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }
    }

    /// <summary>Appends, creates, closes and deletes: the log is written through the API, never here.</summary>
    public static IResult ReadOnly(HttpContext http)
    {
        http.Response.Headers.Allow = "GET, HEAD, OPTIONS";
        return new ProblemResult(StatusCodes.Status405MethodNotAllowed, "read_only_stream", "Method not allowed",
            "The event log's topics are read-only streams; sessions change through /api/sessions, and their events follow.");
    }

    /// <summary>The topic a request names, with the label filter its token allows; 401, 403 or 404 otherwise.</summary>
    private static async Task<(TopicQuery Topic, StreamGrant? Grant)> AuthorizeAsync(HttpContext http, LiveHub live, StreamAuthenticator auth, TimeProvider time)
    {
        var request = http.Request;
        var name = request.RouteValues["topic"] as string ?? "";
        if (!TopicRoute.TryParse(name, out var route) || route.Kind is not (TopicKind.AllSessions or TopicKind.OneSession or TopicKind.Alerts or TopicKind.Commands or TopicKind.Approvals))
        {
            throw new RequestException(new ProblemResult(StatusCodes.Status404NotFound, "stream_not_found", "Not found",
                $"No topic stream '{name}'. The logged topics are sessions, session:{{id}}, alerts and commands; summary and usage are derived, not logged."));
        }

        var labels = LabelFilter.ParseQuery(request.Query["label"], out var labelError);
        if (labelError is not null || (labels is not null && route.Kind != TopicKind.AllSessions))
        {
            throw new RequestException(StreamProblems.Invalid(labelError ?? "Label filters apply to topics/sessions only."));
        }

        var subtree = request.Query["subtree"].ToString() switch
        {
            "" or "false" => false,
            "true" when route.Kind == TopicKind.OneSession => true,
            _ => throw new RequestException(StreamProblems.Invalid("subtree is true or false, on topics/session:{id} only.")),
        };

        var (scoped, checkedGrant) = await AuthorizeReaderAsync(http, route, labels, subtree, live, auth, time);
        var filter = LabelFilter.From(scoped.Labels);
        return (new TopicQuery(route, filter, subtree, filter is not null) { HidesAlerts = scoped.Scope is not null }, checkedGrant);
    }

    /// <summary>
    /// Authenticates a reader of <paramref name="route"/> as the socket does (an API key, or a subscriber token as bearer
    /// or <c>?token=</c>) and applies its grant: the join to run (with the labels scope applied) and the grant, null while
    /// auth is off; 401 or 403 otherwise.
    /// </summary>
    internal static async Task<(JoinRequest Scoped, StreamGrant? Grant)> AuthorizeReaderAsync(HttpContext http, TopicRoute route,
        Dictionary<string, string>? labels, bool subtree, LiveHub live, StreamAuthenticator auth, TimeProvider time)
    {
        var authenticated = await auth.AuthenticateAsync(http.Request);
        if (authenticated.Grant is not { } grant)
        {
            throw new RequestException(new ProblemResult(StatusCodes.Status401Unauthorized, "unauthorized", "Unauthorized",
                $"The stream was refused: {authenticated.Error}. Send an API key as 'Authorization: Bearer <key>', or a subscriber token there or as ?token=…")
            {
                Challenge = "Bearer realm=\"switchboard\"",
            });
        }

        var checkedGrant = auth.Enabled ? grant : null;
        var (scoped, refusal) = await auth.Joins.AuthorizeAsync(new JoinRequest(route, null, live.Epoch, labels, 0) { Subtree = subtree }, checkedGrant,
            time.GetUtcNow(), http.RequestAborted);
        if (scoped is null)
        {
            throw new RequestException(new ProblemResult(StatusCodes.Status403Forbidden, "forbidden", "Forbidden", $"The stream was refused: {refusal}."));
        }

        return (scoped, checkedGrant);
    }

    private static IResult Tail(HttpContext http, long head)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers[StreamHeaders.NextOffset] = StreamOffset.Format(head);
        http.Response.Headers[StreamHeaders.UpToDate] = "true";
        return Results.Bytes("[]"u8.ToArray(), "application/json");
    }

    private static IResult Answer(HttpContext http, TopicSlice slice, string epoch, long from, string? cursor)
    {
        var headers = http.Response.Headers;
        headers[StreamHeaders.NextOffset] = StreamOffset.Format(slice.Next);
        headers.CacheControl = slice.UpToDate ? "private, no-cache" : "private, max-age=60, stale-while-revalidate=300";
        headers.ETag = $"\"topic:{epoch}:{StreamOffset.Format(from)}:{StreamOffset.Format(slice.Next)}\"";
        if (slice.UpToDate)
        {
            headers[StreamHeaders.UpToDate] = "true";
        }

        if (cursor is not null)
        {
            headers[StreamHeaders.Cursor] = cursor;
        }

        return http.Request.Headers.IfNoneMatch.ToString() == headers.ETag.ToString()
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Bytes(slice.Body(), "application/json");
    }

    private static async Task<IResult> LongPollAsync(HttpContext http, ISessionStore store, TopicStreamReader reader, LiveHub live, StreamWatch watch,
        DurableStreamOptions options, TimeProvider time, TopicQuery topic, long position, ReadQuery query, StreamGrant? grant)
    {
        var cursor = StreamCursor.Next(time.GetUtcNow(), query.Cursor, Random.Shared);
        using var waiter = watch.TryWatch(StreamWatch.TopicReaders);
        if (waiter is null)
        {
            return StreamProblems.Busy();
        }

        var started = time.GetTimestamp();
        while (true)
        {
            // The generation is read before the store, so an event applied after that read still ends the wait below.
            var generation = live.Generation;
            var bounds = await store.GetLogBoundsAsync(http.RequestAborted);
            if (position < bounds.FirstSeq - 1)
            {
                return new ProblemResult(StatusCodes.Status410Gone, "offset_retained_no_longer", "Gone", "Retention passed this offset while the read waited.");
            }

            if (position < bounds.HeadSeq)
            {
                var slice = await reader.ReadAsync(topic, position, bounds.HeadSeq, http.RequestAborted);
                if (slice.Envelopes.Count > 0)
                {
                    return Answer(http, slice, live.Epoch, position, cursor);
                }

                position = slice.Next; // none of the new events is this topic's: wait on from past them
            }

            var remaining = options.LongPollTimeout - time.GetElapsedTime(started);
            if (grant?.ExpiresAt is { } expires)
            {
                remaining = remaining < expires - time.GetUtcNow() ? remaining : expires - time.GetUtcNow();
            }

            if (watch.IsStopping || !await waiter.WaitAsync(live.WhenAdvancedAsync(generation), remaining, http.RequestAborted))
            {
                var headers = http.Response.Headers;
                headers.CacheControl = "no-store";
                headers[StreamHeaders.NextOffset] = StreamOffset.Format(position);
                headers[StreamHeaders.UpToDate] = "true";
                headers[StreamHeaders.Cursor] = cursor;
                return Results.NoContent();
            }
        }
    }
}

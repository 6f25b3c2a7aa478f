using System.Globalization;
using Microsoft.AspNetCore.Http;
using Switchboard.Core.Json;
using Switchboard.Core.Storage;
using Switchboard.Core.Streams;
using Switchboard.Core.Writes;
using Switchboard.Server.Http;
using Switchboard.Server.Ingest;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;
using Switchboard.Server.Streams.Options;

namespace Switchboard.Server.Streams;

/// <summary>
/// Create (PUT), append and close (POST), delete (DELETE). Each request becomes one <see cref="StreamWrite"/> committed
/// through the group commit: answered once durable, and refused whole (nothing appended) otherwise.
/// </summary>
internal static class StreamWriteEndpoints
{
    public static async Task<IResult> CreateAsync(HttpContext http, GroupCommit pipeline, ISessionStore store, SwitchboardOptions options, TimeProvider time)
    {
        try
        {
            var path = StreamRequests.PathOf(http);
            await SessionStreams.AuthorizeWriteAsync(http, path, store, create: true);
            var write = await ReadCreateAsync(http, path, options.Streams, WireTime.Now(time));
            if (write.ForkFrom is { } source)
            {
                // A fork reads its source: the key must reach that stream's session as it reaches the new one's.
                await SessionStreams.AuthorizeWriteAsync(http, source, store, create: false);
            }

            var outcome = await SubmitAsync(http, pipeline, write);
            if (outcome.Status is not (StreamStatus.Created or StreamStatus.Matched))
            {
                return StreamProblems.For(outcome, path);
            }

            var stream = outcome.Stream!;
            var headers = http.Response.Headers;
            headers.ContentType = stream.ContentType;
            headers[StreamHeaders.NextOffset] = StreamOffset.Format(stream.Tail);
            if (stream.Closed)
            {
                headers[StreamHeaders.Closed] = "true";
            }

            if (outcome.Status == StreamStatus.Matched)
            {
                return Results.Ok();
            }

            var request = http.Request;
            headers.Location = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}";
            return Results.StatusCode(StatusCodes.Status201Created);
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }
        catch (StoreUnavailableException ex)
        {
            return UnavailableProblem.For(ex, "The stream was not created");
        }
    }

    public static async Task<IResult> AppendAsync(HttpContext http, GroupCommit pipeline, ISessionStore store, SwitchboardOptions options)
    {
        try
        {
            var path = StreamRequests.PathOf(http);
            await SessionStreams.AuthorizeWriteAsync(http, path, store, create: false);
            var request = http.Request;
            var close = StreamHeaderValues.IsTrue(StreamRequests.Header(request, StreamHeaders.Closed));
            var producer = StreamRequests.Producer(request);
            var seq = StreamRequests.StreamSeq(request);
            var raw = await StreamRequests.BodyAsync(http, options.Streams.MaxAppendBytes);
            string? contentType = null;
            if (!raw.IsEmpty)
            {
                contentType = StreamRequests.ContentType(request)
                    ?? throw new RequestException(StreamProblems.Invalid("An append with a body needs a Content-Type: the stream's own."));
            }
            else if (!close)
            {
                throw new RequestException(StreamProblems.Invalid($"The body is empty; send bytes to append, or {StreamHeaders.Closed}: true to close the stream."));
            }

            var outcome = await SubmitAsync(http, pipeline, new AppendStream(path)
            {
                ContentType = contentType,
                Body = StreamBody.Of(raw, contentType, forAppend: true),
                Close = close,
                Producer = producer,
                StreamSeq = seq,
            });
            return Answer(http, outcome, path, closeOnly: raw.IsEmpty);
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }
        catch (StoreUnavailableException ex)
        {
            return UnavailableProblem.For(ex, "Nothing was appended");
        }
    }

    public static async Task<IResult> DeleteAsync(HttpContext http, GroupCommit pipeline, ISessionStore store)
    {
        try
        {
            var path = StreamRequests.PathOf(http);
            await SessionStreams.AuthorizeWriteAsync(http, path, store, create: false);
            var outcome = await SubmitAsync(http, pipeline, new DeleteStream(path));
            return outcome.Status == StreamStatus.Deleted ? Results.NoContent() : StreamProblems.For(outcome, path);
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }
        catch (StoreUnavailableException ex)
        {
            return UnavailableProblem.For(ex, "The stream was not deleted");
        }
    }

    /// <summary>
    /// Commits <paramref name="write"/>: as a stream write, or, when it creates, closes or deletes a session's stream, as a
    /// write of that session, whose transaction checks the session and moves its list of streams with the stream (a
    /// refusal of the session is thrown as its problem).
    /// </summary>
    private static async Task<StreamOutcome> SubmitAsync(HttpContext http, GroupCommit pipeline, StreamWrite write)
    {
        var path = write switch
        {
            CreateStream c => c.Path,
            AppendStream { Close: true } a => a.Path,
            DeleteStream d => d.Path,
            _ => null,
        };
        if (path is null || SessionStreams.Parse(path) is not { } target)
        {
            return (await pipeline.SubmitStreamsAsync([write], http.RequestAborted))[0];
        }

        var result = (await pipeline.SubmitAsync([new WriteSessionStream(target.SessionId, target.Name, write)
        {
            Scope = ApiAccessFilter.ScopeOf(http)?.Pairs,
        }], http.RequestAborted))[0];
        if (result.Error is { } error)
        {
            throw new RequestException(ProblemResult.From(error));
        }

        return result.Stream ?? throw new InvalidOperationException("A session stream write that was not refused has its stream's outcome.");
    }

    private static async Task<CreateStream> ReadCreateAsync(HttpContext http, string path, DurableStreamOptions options, DateTimeOffset now)
    {
        var request = http.Request;
        var contentType = StreamRequests.ContentType(request);
        var ttlHeader = StreamRequests.Header(request, StreamHeaders.Ttl);
        var expiresHeader = StreamRequests.Header(request, StreamHeaders.ExpiresAt);
        if (ttlHeader is not null && expiresHeader is not null)
        {
            throw new RequestException(StreamProblems.Invalid($"Send {StreamHeaders.Ttl} or {StreamHeaders.ExpiresAt}, not both."));
        }

        string? problem = null;
        var ttl = ttlHeader is null ? null : StreamHeaderValues.Ttl(ttlHeader, out problem);
        var expiresAt = expiresHeader is null ? null : StreamHeaderValues.ExpiresAt(expiresHeader, now, out problem);
        if (problem is not null)
        {
            throw new RequestException(StreamProblems.Invalid(problem));
        }

        var forkFrom = StreamRequests.Header(request, StreamHeaders.ForkedFrom) is { } from ? StreamRequests.ForkSource(request, from) : null;
        var forkOffsetHeader = StreamRequests.Header(request, StreamHeaders.ForkOffset);
        var subOffsetHeader = StreamRequests.Header(request, StreamHeaders.ForkSubOffset);
        if (forkFrom is null && (forkOffsetHeader is not null || subOffsetHeader is not null))
        {
            throw new RequestException(StreamProblems.Invalid(
                $"{StreamHeaders.ForkOffset} and {StreamHeaders.ForkSubOffset} only go with {StreamHeaders.ForkedFrom}, which names the stream to fork."));
        }

        long? forkOffset = null;
        if (forkOffsetHeader is not null)
        {
            forkOffset = StreamOffset.TryParse(forkOffsetHeader, out var position) ? position
                : throw new RequestException(StreamProblems.Invalid($"{StreamHeaders.ForkOffset} '{forkOffsetHeader}' is not an offset this server returned."));
        }

        var subOffset = subOffsetHeader is null ? 0 : StreamRequests.Number(StreamHeaders.ForkSubOffset, subOffsetHeader, StreamOffset.MaxPosition);
        var raw = await StreamRequests.BodyAsync(http, options.MaxAppendBytes);
        var body = StreamBody.Of(raw, contentType, forAppend: false);
        if (body.Framed.Problem is { } refused && contentType is not null)
        {
            throw new RequestException(StreamProblems.Invalid(refused));
        }

        return new CreateStream(path, StreamRequests.OwnerOf(http))
        {
            SessionId = SessionStreams.Parse(path)?.SessionId,
            ContentType = contentType,
            TtlSeconds = ttl,
            ExpiresAt = expiresAt,
            Closed = StreamHeaderValues.IsTrue(StreamRequests.Header(request, StreamHeaders.Closed)),
            Body = body,
            ForkFrom = forkFrom,
            ForkOffset = forkOffset,
            ForkSubOffset = subOffset,
            OwnerLimit = options.MaxStreamsPerKey,
            SessionLimit = options.MaxStreamsPerSession,
        };
    }

    /// <summary>An append's answer: 200 for a producer's new data, 204 otherwise, and the protocol's headers either way.</summary>
    private static IResult Answer(HttpContext http, StreamOutcome outcome, string path, bool closeOnly)
    {
        var headers = http.Response.Headers;
        if (outcome.Stream is { } stream && outcome.Status is StreamStatus.Appended or StreamStatus.Duplicate or StreamStatus.AlreadyClosed
            or StreamStatus.ClosedConflict)
        {
            headers[StreamHeaders.NextOffset] = StreamOffset.Format(stream.Tail);
            if (stream.Closed)
            {
                headers[StreamHeaders.Closed] = "true";
            }
        }

        if (outcome.Producer is { } producer)
        {
            switch (producer.Verdict)
            {
                case ProducerVerdict.Accept or ProducerVerdict.Duplicate:
                    headers[StreamHeaders.ProducerEpoch] = producer.Epoch.ToString(CultureInfo.InvariantCulture);
                    headers[StreamHeaders.ProducerSeq] = producer.Seq.ToString(CultureInfo.InvariantCulture);
                    break;
                case ProducerVerdict.StaleEpoch:
                    headers[StreamHeaders.ProducerEpoch] = producer.Epoch.ToString(CultureInfo.InvariantCulture);
                    break;
                case ProducerVerdict.Gap:
                    headers[StreamHeaders.ProducerExpectedSeq] = producer.Seq.ToString(CultureInfo.InvariantCulture);
                    headers[StreamHeaders.ProducerReceivedSeq] = producer.ReceivedSeq.ToString(CultureInfo.InvariantCulture);
                    break;
            }
        }

        return outcome.Status switch
        {
            StreamStatus.Appended when outcome.Producer is not null && !closeOnly => Results.Ok(),
            StreamStatus.Appended or StreamStatus.Duplicate or StreamStatus.AlreadyClosed => Results.NoContent(),
            _ => StreamProblems.For(outcome, path),
        };
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;
using Switchboard.Server.Http;
using static Microsoft.AspNetCore.Http.StatusCodes;
using static Switchboard.Server.Http.OpenApiOperations;

namespace Switchboard.Server.Streams;

/// <summary>
/// The Durable Streams routes in the OpenAPI document: the protocol's query, headers and statuses as the handlers use
/// them (docs/streams.md). A stream's body is in the content type it was created with: JSON streams read as an array of
/// their messages, other streams as their bytes, and any stream live as Server-Sent Events.
/// </summary>
internal static class StreamOpenApi
{
    private static readonly WireHeader NextOffset = new(StreamHeaders.NextOffset, "The offset to read from next.", Required: true);
    private static readonly WireHeader NextOffsetIfKnown = new(StreamHeaders.NextOffset, "The offset to read from next (not on a live read's event stream).");
    private static readonly WireHeader UpToDate = new(StreamHeaders.UpToDate, "true: the answer reaches the tail.");
    private static readonly WireHeader Closed = new(StreamHeaders.Closed, "true: the stream is closed (at its tail); nothing more will come.");
    private static readonly WireHeader Cursor = new(StreamHeaders.Cursor, "A live read's cursor: send it back as ?cursor= (keeps caches from collapsing reads).");
    private static readonly WireHeader ETag = new("ETag", "Names the data of this answer: send it as If-None-Match for a 304.");
    private static readonly WireHeader CacheControl = new("Cache-Control", "Data short of the tail is immutable and cacheable; at the tail, no-cache.");
    private static readonly WireHeader Ttl = new(StreamHeaders.Ttl, "Seconds of idleness the stream lives.", JsonSchemaType.Integer);
    private static readonly WireHeader ExpiresAt = new(StreamHeaders.ExpiresAt, "When the stream expires (RFC 3339).");
    private static readonly WireHeader ContentType = new("Content-Type", "The stream's content type.", Required: true);
    private static readonly WireHeader Allow = new("Allow", "The methods the path takes.", Required: true);

    /// <summary>What a JSON stream takes: one message, or an array of messages (an empty array appends nothing).</summary>
    private static readonly Schema JsonMessages = _ => new OpenApiSchema { Description = "A JSON stream's messages: one JSON value, or an array of values." };

    private static readonly Schema Sse = _ => new OpenApiSchema
    {
        Type = JsonSchemaType.String,
        Description = "live=sse: `event: data` records with the messages (base64 for a binary stream, as Stream-SSE-Data-Encoding says) and "
            + "`event: control` records with streamNextOffset, streamCursor and upToDate or streamClosed.",
    };

    /// <summary>GET of a stream of any content type.</summary>
    public static RouteHandlerBuilder DescribeRead(this RouteHandlerBuilder builder, string name, bool token) =>
        builder.WithName(name).ReadQuery(token)
            .Answer(Status200OK, "application/json", _ => new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Description = "A JSON stream: its messages from the offset, as one array.",
            }, NextOffsetIfKnown, UpToDate, Closed, Cursor, ETag, CacheControl)
            .Answer(Status200OK, "*/*", Schemas.Binary)
            .LiveAnswers()
            .Answer(Status304NotModified, null, null, NextOffset, UpToDate, Closed, Cursor, ETag, CacheControl)
            .Problems(Status400BadRequest, Status404NotFound, Status410Gone, Status503ServiceUnavailable);

    /// <summary>GET of one of the event log's topics (a JSON stream of event envelopes).</summary>
    public static RouteHandlerBuilder DescribeTopicRead(this RouteHandlerBuilder builder) =>
        builder.WithName("ReadTopicStream").ReadQuery(token: true).TopicQuery()
            .Answer(Status200OK, "application/json", document => new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchemaReference("EventEnvelope", document),
                Description = "The topic's events after the offset (an offset is a seq), as the Phoenix socket sends them.",
            }, NextOffsetIfKnown, UpToDate, Cursor, ETag, CacheControl)
            .LiveAnswers()
            .Answer(Status304NotModified, null, null, NextOffset, UpToDate, Cursor, ETag, CacheControl)
            .Problems(Status400BadRequest, Status401Unauthorized, Status403Forbidden, Status404NotFound, Status410Gone, Status503ServiceUnavailable);

    /// <summary>HEAD of a stream: its metadata, no body (404 and 410 bare, as HEAD has none).</summary>
    public static RouteHandlerBuilder DescribeHead(this RouteHandlerBuilder builder, string name, bool token)
    {
        builder.WithName(name).Answer(Status200OK, null, null, ContentType, NextOffset, Ttl, ExpiresAt, Closed,
                new WireHeader("Cache-Control", "no-store", Required: true))
            .Answer(Status404NotFound).Answer(Status410Gone).Problems(Status400BadRequest);
        return token ? builder.TokenParameter().Problems(Status401Unauthorized, Status403Forbidden) : builder;
    }

    public static RouteHandlerBuilder DescribeTopicHead(this RouteHandlerBuilder builder) =>
        builder.WithName("HeadTopicStream").TokenParameter().TopicQuery()
            .Answer(Status200OK, null, null, new WireHeader("Content-Type", "application/json", Required: true), NextOffset,
                new WireHeader("Cache-Control", "no-store", Required: true))
            .Problems(Status400BadRequest, Status401Unauthorized, Status403Forbidden, Status404NotFound);

    /// <summary>A topic's writes: refused, as the log is written through the API.</summary>
    public static RouteHandlerBuilder DescribeReadOnly(this RouteHandlerBuilder builder) =>
        builder.Problems(Status405MethodNotAllowed).Answer(Status405MethodNotAllowed, null, null, Allow);

    public static RouteHandlerBuilder DescribeCreate(this RouteHandlerBuilder builder)
    {
        WireHeader[] made = [ContentType, NextOffset, Closed];
        return builder.WithName("CreateStream")
            .Body(required: false, ("application/json", JsonMessages), ("*/*", Schemas.Binary))
            .RequestHeaders(
                new WireHeader(StreamHeaders.Ttl, "Seconds of idleness the stream lives (not with Stream-Expires-At).", JsonSchemaType.Integer),
                new WireHeader(StreamHeaders.ExpiresAt, "When the stream expires, RFC 3339 (not with Stream-TTL)."),
                new WireHeader(StreamHeaders.Closed, "true: create it closed."),
                new WireHeader(StreamHeaders.ForkedFrom, "The path of a stream to fork."),
                new WireHeader(StreamHeaders.ForkOffset, "Where the fork branches off (default: the source's tail)."),
                new WireHeader(StreamHeaders.ForkSubOffset, "Messages past the fork offset the fork keeps.", JsonSchemaType.Integer))
            .Answer(Status201Created, null, null, [.. made, new WireHeader("Location", "The stream's URL.", Required: true)])
            .Answer(Status200OK, null, null, made)
            .Problems(Status400BadRequest, Status403Forbidden, Status404NotFound, Status409Conflict, Status410Gone, Status413PayloadTooLarge,
                Status429TooManyRequests);
    }

    public static RouteHandlerBuilder DescribeAppend(this RouteHandlerBuilder builder)
    {
        var epoch = new WireHeader(StreamHeaders.ProducerEpoch, "The producer's current epoch.", JsonSchemaType.Integer);
        var seq = new WireHeader(StreamHeaders.ProducerSeq, "The producer's last sequence number taken.", JsonSchemaType.Integer);
        return builder.WithName("AppendToStream")
            .Body(required: false, ("application/json", JsonMessages), ("*/*", Schemas.Binary))
            .RequestHeaders(
                new WireHeader(StreamHeaders.Closed, "true: close the stream (after this body, if any)."),
                new WireHeader(StreamHeaders.Seq, "A writer's sequence: each append's must be greater than the last."),
                new WireHeader(StreamHeaders.ProducerId, "An idempotent producer's id (with Producer-Epoch and Producer-Seq)."),
                new WireHeader(StreamHeaders.ProducerEpoch, "The producer's epoch.", JsonSchemaType.Integer),
                new WireHeader(StreamHeaders.ProducerSeq, "The producer's sequence number for this append.", JsonSchemaType.Integer))
            .Answer(Status200OK, null, null, NextOffset, Closed, epoch, seq)
            .Answer(Status204NoContent, null, null, NextOffsetIfKnown, Closed, epoch, seq)
            .Problems(Status400BadRequest, Status403Forbidden, Status404NotFound, Status409Conflict, Status410Gone, Status413PayloadTooLarge)
            .Answer(Status403Forbidden, null, null, epoch)
            .Answer(Status409Conflict, null, null, NextOffsetIfKnown, Closed,
                new WireHeader(StreamHeaders.ProducerExpectedSeq, "The sequence number the producer must send next.", JsonSchemaType.Integer),
                new WireHeader(StreamHeaders.ProducerReceivedSeq, "The sequence number it sent.", JsonSchemaType.Integer));
    }

    public static RouteHandlerBuilder DescribeDelete(this RouteHandlerBuilder builder) =>
        builder.WithName("DeleteStream").Answer(Status204NoContent)
            .Problems(Status400BadRequest, Status403Forbidden, Status404NotFound, Status409Conflict, Status410Gone);

    /// <summary>OPTIONS (a browser's CORS preflight): the methods, and for an allowed origin what a page may send and read.</summary>
    public static RouteHandlerBuilder DescribePreflight(this RouteHandlerBuilder builder) =>
        builder.WithName("StreamPreflight").NoApiKey().Produces(Status204NoContent)
            .Answer(Status204NoContent, null, null, Allow,
                new WireHeader("Access-Control-Allow-Methods", "For a page on an allowed origin."),
                new WireHeader("Access-Control-Allow-Headers", "For a page on an allowed origin."),
                new WireHeader("Access-Control-Max-Age", "For a page on an allowed origin.", JsonSchemaType.Integer))
            .CommonProblems(Status403Forbidden, Status421MisdirectedRequest, Status500InternalServerError, Status503ServiceUnavailable);

    private static RouteHandlerBuilder ReadQuery(this RouteHandlerBuilder builder, bool token)
    {
        builder.QueryParameter("offset", JsonSchemaType.String, "-1 (the start), now (the tail), or a Stream-Next-Offset a response returned.")
            .QueryParameter("live", JsonSchemaType.String, "Follow the stream: long-poll (wait for data, then answer) or sse. Needs an offset.", false,
                "long-poll", "sse")
            .QueryParameter("cursor", JsonSchemaType.String, "The Stream-Cursor of the last live answer.")
            .RequestHeaders(new WireHeader("If-None-Match", "An ETag of an earlier answer: 304 when the data is the same."));
        return token ? builder.TokenParameter() : builder;
    }

    /// <summary>What narrows a topic (a GET and a HEAD alike: a HEAD is refused for the same filters as the read).</summary>
    private static RouteHandlerBuilder TopicQuery(this RouteHandlerBuilder builder) =>
        builder.QueryParameter("label", JsonSchemaType.String, "key=value: only sessions with this label (topics/sessions). Repeat for more.")
            .QueryParameter("subtree", JsonSchemaType.Boolean, "true: topics/session:{id} follows the session's whole subtree.");

    private static RouteHandlerBuilder TokenParameter(this RouteHandlerBuilder builder) =>
        builder.QueryParameter("token", JsonSchemaType.String, "A subscriber token (POST /api/tokens), for an EventSource that cannot send a header.");

    /// <summary>A live read's answers: Server-Sent Events, or a long-poll that timed out with no data (204).</summary>
    private static RouteHandlerBuilder LiveAnswers(this RouteHandlerBuilder builder) =>
        builder.Answer(Status200OK, "text/event-stream", Sse, new WireHeader(StreamHeaders.SseDataEncoding, "base64: the stream is binary."),
                new WireHeader("X-Accel-Buffering", "no: proxies must not buffer the stream."))
            .Answer(Status204NoContent, null, null, NextOffset, UpToDate, Closed, Cursor, new WireHeader("Cache-Control", "no-store", Required: true));
}

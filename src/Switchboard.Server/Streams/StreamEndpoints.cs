using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Server.Health;
using Switchboard.Server.Http;
using Switchboard.Core.Streams;
using Switchboard.Server.Options;
using Switchboard.Server.Security;

namespace Switchboard.Server.Streams;

/// <summary>
/// The Durable Streams protocol at <c>{prefix}/v1/stream/{path}</c>, on the node's main listener in a route group of its
/// own (not under OTLP, so streams stay when OTLP is off), behind the API's access filter: keys with the write scope
/// create, append, close and delete; read keys read. See docs/streams.md.
/// </summary>
internal static class StreamEndpoints
{
    private const string StreamPath = "The stream's path: one or more segments.";

    private const string TopicName = "sessions, session:{id}, alerts, commands or approvals.";

    public static void Map(IEndpointRouteBuilder root)
    {
        var group = root.MapGroup(StreamRequests.Root);
        // Outermost, so refusals carry them too; then the API's crash handler, shutdown, origin and key checks.
        group.AddEndpointFilter<StreamBrowserHeaders>();
        group.AddEndpointFilter<UnexpectedErrorFilter>();
        group.AddEndpointFilter<StoppingFilter>();
        group.AddEndpointFilter<ApiAccessFilter>();
        group.AddEndpointFilter<StoreUnavailableFilter>();
        group.WithTags("Durable Streams");
        group.MapMethods("/{**path}", [HttpMethods.Options], StreamBrowserHeaders.Preflight).DescribePreflight().PathParameter("path", StreamPath, catchAll: true);
        // The event log's topics: read-only, authenticated as on the socket (keys or subscriber tokens).
        var topic = $"/{TopicStreamEndpoints.Prefix}/{{**topic}}";
        group.MapGet(topic, TopicStreamEndpoints.ReadAsync).DescribeTopicRead().PathParameter("topic", TopicName, catchAll: true);
        group.MapMethods(topic, [HttpMethods.Head], TopicStreamEndpoints.HeadAsync).DescribeTopicHead().PathParameter("topic", TopicName, catchAll: true);
        group.MapMethods(topic, [HttpMethods.Put, HttpMethods.Post, HttpMethods.Delete], TopicStreamEndpoints.ReadOnly).DescribeReadOnly()
            .PathParameter("topic", TopicName, catchAll: true);
        // A session's streams: read by key or by a subscriber token covering the session (writes take the generic routes).
        var session = $"/{SessionStreams.Prefix}/{{session}}/{{name}}";
        group.MapGet(session, SessionStreams.ReadAsync).DescribeRead("ReadSessionStream", token: true).SessionParameters();
        group.MapMethods(session, [HttpMethods.Head], SessionStreams.HeadAsync).DescribeHead("HeadSessionStream", token: true).SessionParameters();
        group.MapPut("/{**path}", StreamWriteEndpoints.CreateAsync).DescribeCreate().PathParameter("path", StreamPath, catchAll: true);
        group.MapPost("/{**path}", StreamWriteEndpoints.AppendAsync).DescribeAppend().PathParameter("path", StreamPath, catchAll: true);
        group.MapDelete("/{**path}", StreamWriteEndpoints.DeleteAsync).DescribeDelete().PathParameter("path", StreamPath, catchAll: true);
        // Lambdas, not the methods: their optional parameters (a reader's expiry, a hidden stream) are not the caller's to set.
        group.MapGet("/{**path}", (HttpContext http, IStreamStore store, StreamWatch watch, SwitchboardOptions options, TimeProvider time) =>
            StreamReadEndpoints.ReadAsync(http, store, watch, options, time)).DescribeRead("ReadStream", token: false).PathParameter("path", StreamPath, catchAll: true);
        group.MapMethods("/{**path}", [HttpMethods.Head], (HttpContext http, IStreamStore store, TimeProvider time) => StreamReadEndpoints.HeadAsync(http, store, time))
            .DescribeHead("HeadStream", token: false).PathParameter("path", StreamPath, catchAll: true);
    }

    private static RouteHandlerBuilder SessionParameters(this RouteHandlerBuilder builder) =>
        builder.PathParameter("name", "The stream's name in the session (one segment).").PathParameter("session", "The session's id.");
}

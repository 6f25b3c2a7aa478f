using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Server.Health;
using Switchboard.Server.Http;
using Switchboard.Server.Security;

namespace Switchboard.Server.Streams;

/// <summary>
/// The Durable Streams protocol at <c>{prefix}/v1/stream/{path}</c>, on the node's main listener in a route group of its
/// own (not under OTLP, so streams stay when OTLP is off), behind the API's access filter: keys with the write scope
/// create, append, close and delete; read keys read. See docs/streams.md.
/// </summary>
internal static class StreamEndpoints
{
    public static void Map(IEndpointRouteBuilder root)
    {
        var group = root.MapGroup(StreamRequests.Root).ExcludeFromDescription();
        // Outermost, so refusals carry them too; then the API's crash handler, shutdown, origin and key checks.
        group.AddEndpointFilter<StreamBrowserHeaders>();
        group.AddEndpointFilter<UnexpectedErrorFilter>();
        group.AddEndpointFilter<StoppingFilter>();
        group.AddEndpointFilter<ApiAccessFilter>();
        group.AddEndpointFilter<StoreUnavailableFilter>();
        group.MapMethods("/{**path}", [HttpMethods.Options], StreamBrowserHeaders.Preflight);
        // The event log's topics: read-only, authenticated as on the socket (keys or subscriber tokens).
        group.MapGet($"/{TopicStreamEndpoints.Prefix}/{{**topic}}", TopicStreamEndpoints.ReadAsync);
        group.MapMethods($"/{TopicStreamEndpoints.Prefix}/{{**topic}}", [HttpMethods.Head], TopicStreamEndpoints.HeadAsync);
        group.MapMethods($"/{TopicStreamEndpoints.Prefix}/{{**topic}}", [HttpMethods.Put, HttpMethods.Post, HttpMethods.Delete], TopicStreamEndpoints.ReadOnly);
        // A session's streams: read by key or by a subscriber token covering the session (writes take the generic routes).
        group.MapGet($"/{SessionStreams.Prefix}/{{session}}/{{name}}", SessionStreams.ReadAsync);
        group.MapMethods($"/{SessionStreams.Prefix}/{{session}}/{{name}}", [HttpMethods.Head], SessionStreams.HeadAsync);
        group.MapPut("/{**path}", StreamWriteEndpoints.CreateAsync);
        group.MapPost("/{**path}", StreamWriteEndpoints.AppendAsync);
        group.MapDelete("/{**path}", StreamWriteEndpoints.DeleteAsync);
        group.MapGet("/{**path}", StreamReadEndpoints.ReadAsync);
        group.MapMethods("/{**path}", [HttpMethods.Head], StreamReadEndpoints.HeadAsync);
    }
}

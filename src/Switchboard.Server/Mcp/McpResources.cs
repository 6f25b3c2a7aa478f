using System.Globalization;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Switchboard.Core.Json;
using Switchboard.Core.Storage;
using Switchboard.Server.Live;

namespace Switchboard.Server.Mcp;

/// <summary>
/// The resources: each session the key sees (<c>switchboard://sessions/{id}</c>, its JSON as <c>GET /api/sessions/{id}</c>
/// answers it) and the fleet summary (<c>switchboard://fleet/summary</c>, for keys without a labels scope), with
/// subscriptions whose updates <see cref="McpUpdates"/> sends as the live log moves. A session outside the key's scope
/// is a resource that does not exist, answered exactly as an unknown one.
/// </summary>
internal sealed class McpResources(ISessionStore store, LiveReads live, SessionTools sessions, McpSubscriptions subscriptions)
{
    private const int PageSize = 100;
    private const string Json = "application/json";

    public async ValueTask<ListResourcesResult> ListAsync(RequestContext<ListResourcesRequestParams> request, CancellationToken ct)
    {
        var caller = McpCaller.Of(request.User);
        long? before = null;
        if (request.Params?.Cursor is { } cursor)
        {
            before = long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                : throw new McpProtocolException("Invalid cursor: pass the nextCursor of a previous resources/list.", McpErrorCode.InvalidParams);
        }

        var page = await store.ListSessionsAsync(new SessionQuery
        {
            Active = true, Labels = caller.Scope?.ToDictionary(), Limit = PageSize, BeforeCreatedSeq = before,
        }, ct);
        var resources = new List<Resource>();
        if (before is null && caller.Scope is null)
        {
            resources.Add(new Resource
            {
                Uri = McpUpdates.FleetUri, Name = "fleet-summary", Title = "Fleet summary", MimeType = Json,
                Description = "Counts by state (waiting: blocked on a person), tokens, cost and the pause flag over the whole fleet.",
            });
        }

        foreach (var s in page.Sessions)
        {
            resources.Add(new Resource
            {
                Uri = McpUpdates.SessionUri(s.Id), Name = s.Id, Title = s.Name ?? s.Id, MimeType = Json,
                Description = $"Session {s.Name ?? s.Id}: {s.State.ToString().ToLowerInvariant()}.",
            });
        }

        return new ListResourcesResult { Resources = resources, NextCursor = page.NextCursor?.ToString(CultureInfo.InvariantCulture) };
    }

    public ValueTask<ListResourceTemplatesResult> TemplatesAsync(RequestContext<ListResourceTemplatesRequestParams> request, CancellationToken ct) =>
        ValueTask.FromResult(new ListResourceTemplatesResult
        {
            ResourceTemplates =
            [
                new ResourceTemplate
                {
                    UriTemplate = McpUpdates.SessionPrefix + "{id}", Name = "session", Title = "A session", MimeType = Json,
                    Description = "One session's JSON: state, labels, metadata, usage, its subtree's totals, its streams.",
                },
            ],
        });

    public async ValueTask<ReadResourceResult> ReadAsync(RequestContext<ReadResourceRequestParams> request, CancellationToken ct)
    {
        var caller = McpCaller.Of(request.User);
        var uri = request.Params?.Uri ?? "";
        string text;
        if (uri == McpUpdates.FleetUri && caller.Scope is null)
        {
            var summary = await live.FleetSummaryAsync().WaitAsync(ct);
            text = JsonBytes.WriteText(w =>
            {
                w.WriteStartObject();
                summary.WriteFields(w);
                w.WriteEndObject();
            });
        }
        else
        {
            var session = await VisibleAsync(uri, caller, ct) ?? throw NotFound(uri);
            text = JsonBytes.WriteText(w => SessionJson.Write(w, session));
        }

        return new ReadResourceResult { Contents = [new TextResourceContents { Uri = uri, MimeType = Json, Text = text }] };
    }

    public async ValueTask<EmptyResult> SubscribeAsync(RequestContext<SubscribeRequestParams> request, CancellationToken ct)
    {
        var caller = McpCaller.Of(request.User);
        var uri = request.Params?.Uri ?? "";
        if (!(uri == McpUpdates.FleetUri && caller.Scope is null) && await VisibleAsync(uri, caller, ct) is null)
        {
            throw NotFound(uri);
        }

        if (!subscriptions.Subscribe(request.Server.SessionId, uri))
        {
            throw new McpProtocolException(request.Server.SessionId is null
                ? "Subscriptions need a session: connect with the initialize handshake (protocol 2025-11-25 or earlier)."
                : $"This session already holds {McpSubscriptions.MaxPerSession} subscriptions; unsubscribe from some first.", McpErrorCode.InvalidRequest);
        }

        return new EmptyResult();
    }

    public ValueTask<EmptyResult> UnsubscribeAsync(RequestContext<UnsubscribeRequestParams> request, CancellationToken ct)
    {
        subscriptions.Unsubscribe(request.Server.SessionId, request.Params?.Uri ?? "");
        return ValueTask.FromResult(new EmptyResult());
    }

    private async Task<Switchboard.Core.Sessions.Session?> VisibleAsync(string uri, McpCaller caller, CancellationToken ct) =>
        uri.StartsWith(McpUpdates.SessionPrefix, StringComparison.Ordinal) && uri.Length <= McpUpdates.SessionPrefix.Length + 256
            ? await sessions.VisibleAsync(uri[McpUpdates.SessionPrefix.Length..], caller.Scope, ct)
            : null;

    private static McpProtocolException NotFound(string uri) =>
        new($"Resource not found: '{(uri.Length > 100 ? uri[..100] + "…" : uri)}'. Sessions are switchboard://sessions/{{id}} (list_sessions gives ids).",
            McpErrorCode.ResourceNotFound);
}

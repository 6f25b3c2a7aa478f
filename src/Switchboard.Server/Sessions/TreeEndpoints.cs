using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Switchboard.Core.Hosting;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Trees;
using Switchboard.Server.Http;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Sessions;

/// <summary>
/// Reads of session trees: a session's children, a subtree page by page, and the tree filters of the session list.
/// Everything is read from the store's parent and path indexes; nothing walks a tree in memory.
/// </summary>
internal static class TreeEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var sessions = api.MapGroup("/sessions").WithTags("Sessions");
        sessions.MapGet("/{id}/children", ChildrenAsync).WithName("ListChildren")
            .WithSummary("The children of a session, oldest first")
            .Produces<SessionListResponse>().Problems(400, 404)
            .Query(("limit", JsonSchemaType.Integer, "Page size."), ("cursor", JsonSchemaType.String, "next_cursor of the previous page."));
        sessions.MapGet("/{id}/tree", TreeAsync).WithName("GetSubtree")
            .WithSummary("The subtree of a session, page by page, as of as_of_seq")
            .WithDescription("The session first, then its descendants in tree order: each parent right before its own subtree, siblings by id. " +
                "Every page is read in one transaction with the log position it reflects (as_of_seq); a later page may reflect a later position. " +
                "A live view applies only events after a node's as_of_seq to it.")
            .Produces<SubtreeResponse>().Problems(400, 404)
            .Query(("limit", JsonSchemaType.Integer, "Page size."), ("cursor", JsonSchemaType.String, "next_cursor of the previous page."));
    }

    /// <summary>Adds <c>parent_id</c> and <c>roots</c> of a <c>GET /api/sessions</c> query to <paramref name="query"/>.</summary>
    public static SessionQuery WithTreeFilters(IQueryCollection q, SessionQuery query)
    {
        string? parent = null;
        if (q.TryGetValue("parent_id", out var parentText) && parentText.ToString().Length > 0)
        {
            parent = parentText.ToString();
            if (!SessionId.IsValid(parent))
            {
                throw RequestException.Field("parent_id", $"'parent_id' must be {SessionId.Rule}.");
            }
        }

        bool? roots = null;
        if (q.TryGetValue("roots", out var rootsText))
        {
            roots = rootsText.ToString() switch
            {
                "true" => true,
                "false" => false,
                _ => throw RequestException.Field("roots", $"'roots' must be true or false; got '{rootsText}'."),
            };
        }

        return query with { ParentId = parent, Roots = roots };
    }

    private static async Task<IResult> ChildrenAsync(string id, HttpContext http, ITreeStore trees, ISessionStore store, TreeCursor cursors,
        SwitchboardOptions options, CancellationToken cancellationToken)
    {
        int limit;
        long? after = null;
        try
        {
            limit = SessionEndpoints.QueryInt(http.Request.Query, "limit", options.Http.DefaultPageSize, 1, options.Http.MaxPageSize);
            if (http.Request.Query.TryGetValue("cursor", out var cursor) && cursor.ToString().Length > 0)
            {
                after = cursors.ChildrenSeq(cursor.ToString())
                    ?? throw RequestException.Field("cursor", "'cursor' must be a next_cursor value returned by a previous page.");
            }
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        var scope = ApiAccessFilter.ScopeOf(http);
        var page = await trees.ListChildrenAsync(id, after, limit, cancellationToken);
        if ((page.Sessions.Count == 0 || scope is not null) && await SessionEndpoints.VisibleAsync(http, store, id, cancellationToken) is null)
        {
            return ProblemResult.From(Switchboard.Core.Errors.SwitchboardError.SessionNotFound(id));
        }

        return new JsonResult(StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            WriteSessions(w, page.Sessions, scope);
            if (page.NextCursor is { } next)
            {
                w.WriteString("next_cursor", cursors.Children(next));
            }
            else
            {
                w.WriteNull("next_cursor");
            }

            w.WriteNumber("as_of_seq", page.AsOfSeq);
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> TreeAsync(string id, HttpContext http, ITreeStore trees, ISessionStore store, TreeCursor cursors,
        SwitchboardOptions options, CancellationToken cancellationToken)
    {
        int limit;
        string? after;
        try
        {
            limit = SessionEndpoints.QueryInt(http.Request.Query, "limit", Math.Min(SwitchboardDefaults.TreePageSize, options.Http.MaxPageSize), 1,
                options.Http.MaxPageSize);
            after = http.Request.Query.TryGetValue("cursor", out var cursor) && cursor.ToString().Length > 0 ? cursors.SubtreePath(cursor.ToString())
                    ?? throw RequestException.Field("cursor", "'cursor' must be a next_cursor value returned by a previous page of this tree.")
                : null;
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        var scope = ApiAccessFilter.ScopeOf(http);
        var page = await trees.ReadSubtreeAsync(id, after, limit, cancellationToken);
        // The session comes first on its first page.
        if (page is null || (scope is not null && (after is null ? !scope.Matches(page.Sessions[0].Labels)
                : await SessionEndpoints.VisibleAsync(http, store, id, cancellationToken) is null)))
        {
            return ProblemResult.From(Switchboard.Core.Errors.SwitchboardError.SessionNotFound(id));
        }

        return new JsonResult(StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("as_of_seq", page.AsOfSeq);
            WriteSessions(w, page.Sessions, scope);
            if (page.NextCursor is { } next)
            {
                w.WriteString("next_cursor", cursors.Subtree(next));
            }
            else
            {
                w.WriteNull("next_cursor");
            }

            w.WriteEndObject();
        });
    }

    /// <summary>
    /// The page's sessions; for a key scoped by labels only those inside its scope (so its page may hold fewer than the
    /// limit, and the cursor, sealed, still goes on from the last session read: <see cref="TreeCursor"/>).
    /// </summary>
    private static void WriteSessions(System.Text.Json.Utf8JsonWriter w, IReadOnlyList<Session> sessions, Switchboard.Server.Live.LabelFilter? scope)
    {
        w.WriteStartArray("sessions");
        foreach (var s in sessions)
        {
            if (scope?.Matches(s.Labels) != false)
            {
                SessionJson.Write(w, s);
            }
        }

        w.WriteEndArray();
    }
}

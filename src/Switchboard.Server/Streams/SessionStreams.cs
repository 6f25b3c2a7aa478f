using Microsoft.AspNetCore.Http;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Streams;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Streams;

/// <summary>
/// A session's streams, <c>/v1/stream/sessions/{id}/{name}</c>: written with a write key that reaches the session (an
/// unscoped key, or one whose labels the session carries) while the session exists and has not ended; read with any key
/// that reaches it, or with a subscriber token whose topics cover <c>session:{id}</c> (as <c>Authorization: Bearer</c> or
/// <c>?token=</c>, since a page's EventSource cannot set headers). A key scoped by labels reaches no other stream. Any
/// other path under <c>sessions/</c> is refused, so the prefix always means a session.
/// </summary>
internal static class SessionStreams
{
    public const string Prefix = "sessions";

    /// <summary>The session and stream name of a session stream's path; null for a path outside <c>sessions/</c>; 400 for a malformed one.</summary>
    public static (string SessionId, string Name)? Parse(string path)
    {
        if (!path.StartsWith(Prefix + "/", StringComparison.Ordinal))
        {
            return path == Prefix ? throw Malformed() : null;
        }

        var parts = path.Split('/');
        if (parts.Length != 3 || !SessionId.IsValid(parts[1]))
        {
            throw Malformed();
        }

        return (parts[1], parts[2]);
    }

    /// <summary>The kind of <paramref name="path"/>, whose row of <see cref="AccessTable.StreamPaths"/> says what a scoped key reaches.</summary>
    public static StreamPathKind KindOf(string path) =>
        path.StartsWith(TopicStreamEndpoints.Prefix + "/", StringComparison.Ordinal) ? StreamPathKind.Topic
        : path.StartsWith(Prefix + "/", StringComparison.Ordinal) || path == Prefix ? StreamPathKind.Session
        : StreamPathKind.Other;

    /// <summary>Refuses a key scoped by labels on a path whose kind is fleet-wide (any stream that is no session's).</summary>
    private static void RefuseFleetWide(HttpContext http, string path)
    {
        if (ApiAccessFilter.ScopeOf(http) is not null && AccessTable.StreamPaths[KindOf(path)] == Reach.FleetWide)
        {
            throw new RequestException(OutsideScope());
        }
    }

    /// <summary>
    /// Checks a write (create, append, close, delete) of <paramref name="path"/> by the request's key: a session stream's
    /// session must exist inside the key's scope (404 otherwise, the same answer as for a session that does not exist),
    /// and a create needs it not to have ended (409); a key scoped by labels may write no other stream (403).
    /// </summary>
    public static async Task AuthorizeWriteAsync(HttpContext http, string path, ISessionStore store, bool create)
    {
        RefuseFleetWide(http, path);
        var scope = ApiAccessFilter.ScopeOf(http);
        if (Parse(path) is not { } target)
        {
            return;
        }

        var session = await store.GetSessionAsync(target.SessionId, http.RequestAborted);
        if (session is null || (scope is not null && !scope.Matches(session.Labels)))
        {
            throw new RequestException(new ProblemResult(StatusCodes.Status404NotFound, "session_not_found", "Not found",
                $"No session '{target.SessionId}' that this key reaches; create the session (POST /api/sessions) before its streams."));
        }

        if (create && session.State == SessionState.Terminated)
        {
            throw new RequestException(new ProblemResult(StatusCodes.Status409Conflict, "session_ended", "Conflict",
                $"Session '{target.SessionId}' has ended; its streams are closed and no new one can be created in it."));
        }
    }

    /// <summary>A read by key on the generic route: a key scoped by labels reads only session streams.</summary>
    public static void AuthorizeKeyRead(HttpContext http, string path)
    {
        Parse(path);
        RefuseFleetWide(http, path);
    }

    /// <summary>GET of a session stream, authenticated by key or subscriber token, then read as any stream.</summary>
    public static async Task<IResult> ReadAsync(HttpContext http, IStreamStore streams, StreamWatch watch, LiveHub live, ISessionStore sessions,
        StreamAuthenticator auth, SwitchboardOptions options, TimeProvider time)
    {
        try
        {
            var (grant, hidden) = await AuthorizeReaderAsync(http, live, sessions, auth, time);
            return await StreamReadEndpoints.ReadAsync(http, streams, watch, options, time, grant?.ExpiresAt, hidden);
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }
    }

    /// <summary>HEAD of a session stream, authenticated as <see cref="ReadAsync"/>.</summary>
    public static async Task<IResult> HeadAsync(HttpContext http, IStreamStore streams, LiveHub live, ISessionStore sessions, StreamAuthenticator auth,
        TimeProvider time)
    {
        try
        {
            var (_, hidden) = await AuthorizeReaderAsync(http, live, sessions, auth, time);
            return await StreamReadEndpoints.HeadAsync(http, streams, time, hidden);
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }
    }

    /// <summary>
    /// Authenticates and authorizes the reader: the grant it read with (null with auth off), whose expiry ends a live read,
    /// and whether the session is outside the grant's labels scope, so that its streams answer as streams that do not exist.
    /// </summary>
    private static async Task<(StreamGrant? Grant, bool Hidden)> AuthorizeReaderAsync(HttpContext http, LiveHub live, ISessionStore sessions,
        StreamAuthenticator auth, TimeProvider time)
    {
        var path = StreamRequests.PathOf(http);
        var target = Parse(path)!.Value;
        if (!TopicRoute.TryParse("session:" + target.SessionId, out var route))
        {
            throw Malformed();
        }

        var (scoped, grant) = await TopicStreamEndpoints.AuthorizeReaderAsync(http, route, null, subtree: false, live, auth, time);
        if (LabelFilter.From(scoped.Scope) is not { } scope)
        {
            return (grant, false);
        }

        var session = await live.ReadSessionAsync(target.SessionId) ?? await sessions.GetSessionAsync(target.SessionId, http.RequestAborted);
        return (grant, session is not null && !scope.Matches(session.Labels));
    }

    private static ProblemResult OutsideScope() => SecurityProblems.OutsideScope(
        "a key scoped by labels reaches only its sessions' streams, at /v1/stream/sessions/{id}/{name}");

    private static RequestException Malformed() => new(StreamProblems.Invalid(
        $"Paths under '{Prefix}/' are session streams: {Prefix}/{{session id}}/{{name}}, the id {SessionId.Rule} (not '.' or '..') and one name segment."));
}

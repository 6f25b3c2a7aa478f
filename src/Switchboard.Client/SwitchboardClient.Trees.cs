using System.Runtime.CompilerServices;
using Switchboard.Client.Http;
using Switchboard.Client.Json;

namespace Switchboard.Client;

/// <summary>Agent trees: a session's children and subtree, and ending a whole subtree.</summary>
public sealed partial class SwitchboardClient
{
    /// <summary>
    /// Terminates a session and every active descendant in one commit (<c>POST /api/sessions/{id}/terminate</c> with
    /// <c>cascade</c>), deepest first. Ending what is already ended changes nothing, so this is always retried.
    /// </summary>
    /// <exception cref="SwitchboardApiException">Refused: unknown session (404), stale version (409).</exception>
    public Task<Session> TerminateSubtreeAsync(string sessionId, string? reason = null, long? expectedVersion = null,
        CancellationToken cancellationToken = default)
    {
        var body = RequestJson.Object(w => RequestJson.TerminateFields(w, reason, expectedVersion, cascade: true));
        return _api.SendAsync(HttpMethod.Post, ApiPaths.Session(sessionId, "/terminate"), body, RetryMode.Always, WireJson.ReadSession, cancellationToken);
    }

    /// <summary>One page of a session's children, oldest first (<c>GET /api/sessions/{id}/children</c>).</summary>
    /// <exception cref="SwitchboardApiException">The session does not exist (404).</exception>
    public Task<SessionPage> ListChildrenAsync(string sessionId, string? cursor = null, int? limit = null, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Get, ApiPaths.Session(sessionId, "/children") + ApiPaths.PageQuery(cursor, limit), null, RetryMode.Always, WireJson.ReadSessionPage,
            cancellationToken);

    /// <summary>
    /// One page of a session's subtree in tree order, the session itself first (<c>GET /api/sessions/{id}/tree</c>), as of
    /// <see cref="SubtreePage.AsOfSeq"/>.
    /// </summary>
    /// <exception cref="SwitchboardApiException">The session does not exist (404).</exception>
    public Task<SubtreePage> GetSubtreeAsync(string sessionId, string? cursor = null, int? limit = null, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Get, ApiPaths.Session(sessionId, "/tree") + ApiPaths.PageQuery(cursor, limit), null, RetryMode.Always, WireJson.ReadSubtreePage,
            cancellationToken);

    /// <summary>Every session of a subtree, in tree order, following the cursor page by page.</summary>
    public async IAsyncEnumerable<Session> ListSubtreeAsync(string sessionId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? cursor = null;
        do
        {
            var page = await GetSubtreeAsync(sessionId, cursor, limit: null, cancellationToken).ConfigureAwait(false);
            foreach (var s in page.Sessions)
            {
                yield return s;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }
}

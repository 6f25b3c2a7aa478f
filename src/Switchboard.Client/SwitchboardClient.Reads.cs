using System.Runtime.CompilerServices;
using Switchboard.Client.Http;
using Switchboard.Client.Json;

namespace Switchboard.Client;

/// <summary>Reads; all of them are retried on any transient failure.</summary>
public sealed partial class SwitchboardClient
{
    /// <summary>One session (<c>GET /api/sessions/{id}</c>), or null when it does not exist.</summary>
    public async Task<Session?> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _api.SendAsync(HttpMethod.Get, ApiPaths.Session(sessionId), null, RetryMode.Always, WireJson.ReadSession, cancellationToken).ConfigureAwait(false);
        }
        catch (SwitchboardApiException ex) when (ex.StatusCode == 404 && ex.Code == "session_not_found")
        {
            return null;
        }
    }

    /// <summary>One page of sessions, newest first (<c>GET /api/sessions</c>).</summary>
    public Task<SessionPage> ListSessionsAsync(SessionQuery? query = null, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Get, ApiPaths.Sessions(query ?? new SessionQuery()), null, RetryMode.Always, WireJson.ReadSessionPage, cancellationToken);

    /// <summary>Every session matching <paramref name="query"/>, following the cursor page by page.</summary>
    public async IAsyncEnumerable<Session> ListAllSessionsAsync(SessionQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var q = query ?? new SessionQuery();
        while (true)
        {
            var page = await ListSessionsAsync(q, cancellationToken).ConfigureAwait(false);
            foreach (var s in page.Sessions)
            {
                yield return s;
            }

            if (page.NextCursor is null)
            {
                yield break;
            }

            q = q with { Cursor = page.NextCursor };
        }
    }

    /// <summary>Active and total session counts (<c>GET /api/sessions/count</c>).</summary>
    public Task<SessionCount> CountSessionsAsync(CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Get, "api/sessions/count", null, RetryMode.Always,
            e => new SessionCount(WireJson.Long(e, "active_sessions"), WireJson.Long(e, "total_sessions")), cancellationToken);

    /// <summary>Counts and totals (<c>GET /api/summary</c>), with the log's epoch.</summary>
    public Task<Summary> GetSummaryAsync(CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Get, "api/summary", null, RetryMode.Always, e => WireJson.ReadSummary(e, null), cancellationToken);

    /// <summary>
    /// Replays the event log after <paramref name="since"/> (<c>GET /api/events</c>). A 410 <c>since_gone</c> means the
    /// events were purged or <paramref name="epoch"/> is not the log's: start again from a fresh state.
    /// </summary>
    public Task<EventPage> GetEventsAsync(long since = 0, int? limit = null, string? sessionId = null, string? epoch = null,
        CancellationToken cancellationToken = default)
    {
        return _api.SendAsync(HttpMethod.Get, ApiPaths.Events(since, limit, sessionId, epoch), null, RetryMode.Always, WireJson.ReadEventPage, cancellationToken);
    }

    /// <summary>
    /// Usage per time bucket, for the fleet or split by a label (<c>GET /api/usage</c>). A 400 problem names the bad field:
    /// an unknown group-by label, a range with since after until, or more buckets than the server allows.
    /// </summary>
    public Task<UsageHistory> GetUsageHistoryAsync(UsageHistoryQuery? query = null, CancellationToken cancellationToken = default)
    {
        return _api.SendAsync(HttpMethod.Get, ApiPaths.UsageHistory(query ?? new UsageHistoryQuery()), null, RetryMode.Always, WireJson.ReadUsageHistory, cancellationToken);
    }
}

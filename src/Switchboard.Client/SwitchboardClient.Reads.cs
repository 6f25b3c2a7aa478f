using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Switchboard.Client;

/// <summary>Reads; all of them are retried on any transient failure.</summary>
public sealed partial class SwitchboardClient
{
    /// <summary>One session (<c>GET /api/sessions/{id}</c>), or null when it does not exist.</summary>
    public async Task<Session?> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _api.SendAsync(HttpMethod.Get, SessionPath(sessionId), null, RetryMode.Always, WireJson.ReadSession, cancellationToken).ConfigureAwait(false);
        }
        catch (SwitchboardApiException ex) when (ex.StatusCode == 404 && ex.Code == "session_not_found")
        {
            return null;
        }
    }

    /// <summary>One page of sessions, newest first (<c>GET /api/sessions</c>).</summary>
    public Task<SessionPage> ListSessionsAsync(SessionQuery? query = null, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Get, "api/sessions" + ListQuery(query ?? new SessionQuery()), null, RetryMode.Always, WireJson.ReadSessionPage, cancellationToken);

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
        var q = new StringBuilder("api/events?since=").Append(since.ToString(CultureInfo.InvariantCulture));
        if (limit is { } l) q.Append("&limit=").Append(l.ToString(CultureInfo.InvariantCulture));
        if (sessionId is not null) q.Append("&session_id=").Append(Uri.EscapeDataString(sessionId));
        if (epoch is not null) q.Append("&epoch=").Append(Uri.EscapeDataString(epoch));
        return _api.SendAsync(HttpMethod.Get, q.ToString(), null, RetryMode.Always, WireJson.ReadEventPage, cancellationToken);
    }

    /// <summary>
    /// Usage per time bucket, for the fleet or split by a label (<c>GET /api/usage</c>). A 400 problem names the bad field:
    /// an unknown group-by label, a range with since after until, or more buckets than the server allows.
    /// </summary>
    public Task<UsageHistory> GetUsageHistoryAsync(UsageHistoryQuery? query = null, CancellationToken cancellationToken = default)
    {
        var q = query ?? new UsageHistoryQuery();
        var path = new StringBuilder("api/usage?bucket=").Append(WireJson.BucketToWire(q.Bucket));
        if (q.Since is { } since) path.Append("&since=").Append(Uri.EscapeDataString(since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)));
        if (q.Until is { } until) path.Append("&until=").Append(Uri.EscapeDataString(until.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)));
        if (q.GroupByLabel is { } key)
        {
            path.Append("&group_by=").Append(Uri.EscapeDataString("label:" + key));
            if (q.Values is { Count: > 0 } values)
            {
                path.Append("&labels=").Append(Uri.EscapeDataString(string.Join(',', values.Select(v => key + "=" + v))));
            }
        }

        return _api.SendAsync(HttpMethod.Get, path.ToString(), null, RetryMode.Always, WireJson.ReadUsageHistory, cancellationToken);
    }

    private static string ListQuery(SessionQuery query)
    {
        var parts = new List<string>();
        if (query.States is { Count: > 0 } states) parts.Add("state=" + string.Join(',', states.Select(s => s.ToWire())));
        foreach (var (k, v) in query.Labels ?? new Dictionary<string, string>())
        {
            parts.Add("label=" + Uri.EscapeDataString(k + "=" + v));
        }

        if (query.Active is { } active) parts.Add(active ? "active=true" : "active=false");
        if (query.ParentId is { } parent) parts.Add("parent_id=" + Uri.EscapeDataString(parent));
        if (query.Roots is { } roots) parts.Add(roots ? "roots=true" : "roots=false");
        if (query.Limit is { } limit) parts.Add("limit=" + limit.ToString(CultureInfo.InvariantCulture));
        if (query.Cursor is { } cursor) parts.Add("cursor=" + Uri.EscapeDataString(cursor));
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}

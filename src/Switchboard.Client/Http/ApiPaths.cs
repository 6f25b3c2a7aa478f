using System.Globalization;
using System.Text;
using Switchboard.Client.Json;

namespace Switchboard.Client.Http;

/// <summary>The API's paths and query strings, relative to the base address, each value escaped.</summary>
internal static class ApiPaths
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string Session(string id, string? suffix = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return "api/sessions/" + Uri.EscapeDataString(id) + suffix;
    }

    public static string Command(string sessionId, string commandId)
    {
        ArgumentException.ThrowIfNullOrEmpty(commandId);
        return Session(sessionId, "/commands/") + Uri.EscapeDataString(commandId);
    }

    public static string Approval(string sessionId, string approvalId)
    {
        ArgumentException.ThrowIfNullOrEmpty(approvalId);
        return Session(sessionId, "/approvals/") + Uri.EscapeDataString(approvalId);
    }

    /// <summary><c>?wait=</c> in whole seconds, rounded up.</summary>
    public static string WaitQuery(TimeSpan wait) => "?wait=" + ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>The <c>state=</c> filter of a command list, after <paramref name="separator"/>; empty without states.</summary>
    public static string StateFilter(IEnumerable<CommandState>? states, string separator) =>
        states?.ToList() is { Count: > 0 } list ? separator + "state=" + string.Join(",", list.Select(WireJson.ToWire)) : "";

    public static string Sessions(SessionQuery query)
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
        return "api/sessions" + (parts.Count == 0 ? "" : "?" + string.Join('&', parts));
    }

    /// <summary>The <c>limit</c> and <c>cursor</c> of a children or tree page; empty when neither is given.</summary>
    public static string PageQuery(string? cursor, int? limit)
    {
        var q = new StringBuilder();
        if (limit is { } l) q.Append(q.Length == 0 ? '?' : '&').Append("limit=").Append(l.ToString(CultureInfo.InvariantCulture));
        if (cursor is not null) q.Append(q.Length == 0 ? '?' : '&').Append("cursor=").Append(Uri.EscapeDataString(cursor));
        return q.ToString();
    }

    public static string Events(long since, int? limit, string? sessionId, string? epoch)
    {
        var q = new StringBuilder("api/events?since=").Append(since.ToString(CultureInfo.InvariantCulture));
        if (limit is { } l) q.Append("&limit=").Append(l.ToString(CultureInfo.InvariantCulture));
        if (sessionId is not null) q.Append("&session_id=").Append(Uri.EscapeDataString(sessionId));
        if (epoch is not null) q.Append("&epoch=").Append(Uri.EscapeDataString(epoch));
        return q.ToString();
    }

    public static string UsageHistory(UsageHistoryQuery q)
    {
        var path = new StringBuilder("api/usage?bucket=").Append(WireJson.BucketToWire(q.Bucket));
        if (q.Since is { } since) path.Append("&since=").Append(Uri.EscapeDataString(since.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)));
        if (q.Until is { } until) path.Append("&until=").Append(Uri.EscapeDataString(until.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)));
        if (q.GroupByLabel is { } key)
        {
            path.Append("&group_by=").Append(Uri.EscapeDataString("label:" + key));
            if (q.Values is { Count: > 0 } values)
            {
                path.Append("&labels=").Append(Uri.EscapeDataString(string.Join(',', values.Select(v => key + "=" + v))));
            }
        }

        return path.ToString();
    }
}

using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Switchboard.Core.Json;
using Switchboard.Core.Storage;
using Switchboard.Core.UsageRollups;
using Switchboard.Server.Http;
using Switchboard.Server.Live;
using Switchboard.Server.Live.Usage;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Usage;

/// <summary><c>GET /api/usage</c>: rollups of tokens, cost and sessions per time bucket, optionally split by a label.</summary>
internal static class UsageEndpoints
{
    public static void Map(IEndpointRouteBuilder api) =>
        api.MapGet("/usage", GetAsync).WithTags("Usage").WithName("GetUsage")
            .WithSummary("Usage rollups per time bucket, optionally split by a label")
            .WithDescription("Answers series of buckets and as_of_seq (the rows count exactly the events up to it). For a live chart join the usage topic instead: " +
                "its reply carries the same series and its updates continue from as_of_seq. A key scoped by labels may only read group_by=label:KEY&labels=KEY=value " +
                "where KEY=value is its whole scope (403 insufficient_scope otherwise).")
            .Produces<UsageResponse>().Problems(400)
            .Query(("bucket", JsonSchemaType.String, "1m, 1h (default) or 1d."),
                ("since", JsonSchemaType.String, "RFC 3339, or a duration back from now (30m, 24h, 7d); default 24h."),
                ("until", JsonSchemaType.String, "RFC 3339, or a duration back from now; default now."),
                ("group_by", JsonSchemaType.String, "all (default) or label:KEY, KEY one of Switchboard:Usage:GroupBy."),
                ("labels", JsonSchemaType.String, "Comma-separated KEY=value pairs: only these values of the group_by key."));

    private static async Task<IResult> GetAsync(HttpContext http, ISessionStore store, LiveReads live, SwitchboardOptions options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        UsageQuery query;
        try
        {
            query = ParseQuery(http.Request.Query, options.Usage, WireTime.Now(time));
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        if (ApiAccessFilter.ScopeOf(http) is { } scope && !IsWithin(query, scope))
        {
            return SecurityProblems.OutsideScope("rollups count every session with a label's value: such a key may only read " +
                $"group_by=label:KEY&labels=KEY=value where KEY=value is its whole scope (here {string.Join(" ", scope.Pairs.Select(p => p.Key + "=" + p.Value))})");
        }

        var result = await store.ReadUsageAsync(query, cancellationToken);
        var epoch = live.Epoch;
        return new JsonResult(StatusCodes.Status200OK, w => Write(w, query, result, epoch));
    }

    /// <summary>
    /// Whether the rows the query reads hold only sessions inside <paramref name="scope"/>: rollups are kept per value of
    /// one label, so only a scope of that one label, asking for its value alone.
    /// </summary>
    private static bool IsWithin(UsageQuery query, LabelFilter scope) =>
        scope.Pairs is [var only] && query.GroupKey == only.Key && query.GroupValues is { Count: > 0 } values && values.All(v => v == only.Value);

    /// <summary>Parses and checks the query; since is rounded down and until up to whole buckets.</summary>
    internal static UsageQuery ParseQuery(IQueryCollection q, UsageSettings settings, DateTimeOffset now) =>
        UsageQueryText.Parse(name => q[name].ToString(), settings, now);

    private static void Write(Utf8JsonWriter w, UsageQuery query, UsageResult result, string epoch)
    {
        w.WriteStartObject();
        w.WriteString("bucket", query.Bucket.ToWire());
        w.WriteString("group_by", query.GroupKey is null ? "all" : "label:" + query.GroupKey);
        WireTime.Write(w, "since", query.Since);
        WireTime.Write(w, "until", query.Until);
        w.WriteString("epoch", epoch);
        w.WriteNumber("as_of_seq", result.AsOfSeq);
        UsageJson.WriteSeries(w, query.GroupKey, result.Rows);
        w.WriteEndObject();
    }
}

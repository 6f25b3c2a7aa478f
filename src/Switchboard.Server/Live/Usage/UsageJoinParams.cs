using System.Text.Json;
using Switchboard.Core.UsageRollups;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Live.Usage;

/// <summary>What reading the <c>usage</c> join params needs: the rollup settings and the time to count durations back from.</summary>
internal sealed record UsageJoinContext(UsageSettings Settings, DateTimeOffset Now);

/// <summary>
/// The <c>usage</c> join params <c>{bucket?, group_by?, labels?, since?}</c>: the same strings, defaults and checks as the
/// query of <c>GET /api/usage</c>; the range is open-ended (it follows live), so there is no <c>until</c>.
/// </summary>
internal static class UsageJoinParams
{
    /// <summary>The end of an open range: far enough for any clock, small enough for every store's timestamp type.</summary>
    public static readonly DateTimeOffset OpenEnd = new(3000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Names = ["bucket", "group_by", "labels", "since"];

    /// <summary>The series the join params ask to follow (its <c>Until</c> open), or null with <paramref name="error"/>.</summary>
    public static UsageQuery? Parse(JsonElement payload, UsageJoinContext? context, out string? error)
    {
        error = null;
        if (context is null)
        {
            error = "the 'usage' topic is not served on this transport; use a Phoenix socket (WebSocket or long-poll), or GET /api/usage";
            return null;
        }

        if (!context.Settings.Enabled)
        {
            error = "usage rollups are turned off on this server (Switchboard:Usage:Enabled=false), so there is no series to follow";
            return null;
        }

        if (payload.ValueKind != JsonValueKind.Object)
        {
            error = "join params must be a JSON object";
            return null;
        }

        var text = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in payload.EnumerateObject())
        {
            if (p.Name == "until")
            {
                error = "'until' does not apply to the live 'usage' topic, which follows from 'since' on; for a closed range use GET /api/usage";
                return null;
            }

            if (!Names.Contains(p.Name) || p.Value.ValueKind == JsonValueKind.Null)
            {
                continue; // unknown keys are ignored, as on every topic
            }

            if (p.Value.ValueKind != JsonValueKind.String)
            {
                error = $"'{p.Name}' must be a string, as in GET /api/usage (e.g. bucket: \"1m\", group_by: \"label:team\", labels: \"team=red\", since: \"24h\")";
                return null;
            }

            text[p.Name] = p.Value.GetString()!;
        }

        UsageQuery query;
        try
        {
            query = UsageQueryText.Parse(name => text.GetValueOrDefault(name, ""), context.Settings, context.Now);
        }
        catch (RequestException ex)
        {
            error = ex.Problem.Detail;
            return null;
        }

        return query with { Until = OpenEnd };
    }
}

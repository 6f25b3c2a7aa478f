using System.Text.Json;
using Switchboard.Core.Hosting;
using Switchboard.Core.Json;
using Switchboard.Core.Writes;

namespace Switchboard.Server.Live;

/// <summary>What a join asks for: the topic, an optional resume position, a label filter and a snapshot size.</summary>
internal sealed record JoinRequest(TopicRoute Route, long? Since, string? Epoch, IReadOnlyDictionary<string, string>? Labels, int SnapshotLimit)
{
    /// <summary>The Phoenix channel's join ref (null for SSE).</summary>
    public string? JoinRef { get; init; }

    /// <summary>Who is joining, for presence (<c>{viewer: {name, id?}}</c>).</summary>
    public Switchboard.Server.Live.Presence.Viewer? Viewer { get; init; }

    /// <summary>
    /// The labels scope of the connection's token: sessions without these labels are never seen on this channel, and
    /// fleet-wide summaries are not sent. Set by <c>JoinAuthorizer</c>; null when unrestricted.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Scope { get; init; }

    /// <summary>
    /// For <c>session:{id}</c>: follow the whole subtree (<c>{"subtree": true}</c>): a snapshot of it, then the events of
    /// the session and every descendant.
    /// </summary>
    public bool Subtree { get; init; }

    /// <summary>For the <c>usage</c> topic: the series to follow (its <c>Until</c> is open).</summary>
    public Switchboard.Core.UsageRollups.UsageQuery? Usage { get; init; }

    /// <summary>Reads join params <c>{since?, epoch?, labels?, limit?, viewer?}</c>; unknown keys are ignored (clients may add their own).</summary>
    public static JoinRequest? Parse(TopicRoute route, JsonElement payload, int defaultLimit, out string? error, Switchboard.Server.Live.Usage.UsageJoinContext? usage = null)
    {
        error = null;
        if (route.Kind == TopicKind.Usage)
        {
            return Switchboard.Server.Live.Usage.UsageJoinParams.Parse(payload, usage, out error) is { } query
                ? new JoinRequest(route, null, null, null, 0) { Usage = query }
                : null;
        }

        long? since = null;
        string? epoch = null;
        Dictionary<string, string>? labels = null;
        Switchboard.Server.Live.Presence.Viewer? viewer = null;
        var subtree = false;
        var limit = defaultLimit;
        if (payload.ValueKind != JsonValueKind.Object)
        {
            error = "join params must be a JSON object";
            return null;
        }

        if (JsonStrings.FindNotText(payload) is { } notText)
        {
            error = $"'{(notText.Path.Length == 0 ? "a field name" : notText.Path)}' holds a lone surrogate escape, which is not Unicode text";
            return null;
        }

        foreach (var p in payload.EnumerateObject())
        {
            switch (p.Name)
            {
                case "since" when p.Value.ValueKind == JsonValueKind.Null:
                    break;
                case "since":
                    if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt64(out var s) || s < 0)
                    {
                        error = "'since' must be a non-negative integer seq";
                        return null;
                    }

                    since = s;
                    break;
                case "epoch" when p.Value.ValueKind == JsonValueKind.Null:
                    break;
                case "epoch":
                    if (p.Value.ValueKind != JsonValueKind.String)
                    {
                        error = "'epoch' must be a string";
                        return null;
                    }

                    epoch = p.Value.GetString();
                    break;
                case "labels" when p.Value.ValueKind == JsonValueKind.Null:
                    break;
                case "labels":
                    labels = ParseLabels(p.Value, route, out error);
                    if (error is not null)
                    {
                        return null;
                    }

                    break;
                case "viewer" when p.Value.ValueKind == JsonValueKind.Null:
                    break;
                case "viewer":
                    if (route.Kind is TopicKind.SummaryOnly or TopicKind.Alerts or TopicKind.Commands or TopicKind.Approvals or TopicKind.Webhooks)
                    {
                        error = $"presence ('viewer') is kept on 'sessions' and 'session:{{id}}', not on '{route.Topic}'";
                        return null;
                    }

                    viewer = Switchboard.Server.Live.Presence.Viewer.Parse(p.Value, out error);
                    if (viewer is null)
                    {
                        return null;
                    }

                    break;
                case "subtree" when p.Value.ValueKind == JsonValueKind.Null:
                    break;
                case "subtree":
                    if (p.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        error = "'subtree' must be true or false";
                        return null;
                    }

                    if (route.Kind != TopicKind.OneSession)
                    {
                        error = $"'subtree' follows a session and its descendants on 'session:{{id}}', not on '{route.Topic}'";
                        return null;
                    }

                    subtree = p.Value.GetBoolean();
                    break;
                case "limit":
                    if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out limit)
                        || limit < 0 || limit > SwitchboardDefaults.MaxSnapshotSessions)
                    {
                        error = $"'limit' must be an integer from 0 to {SwitchboardDefaults.MaxSnapshotSessions}";
                        return null;
                    }

                    break;
            }
        }

        // 'webhooks' pushes its whole state to every joiner: there is nothing to resume from a seq.
        return route.Kind == TopicKind.Webhooks
            ? new JoinRequest(route, null, null, null, 0)
            : new JoinRequest(route, since, epoch, labels, limit) { Viewer = viewer, Subtree = subtree };
    }

    private static Dictionary<string, string>? ParseLabels(JsonElement value, TopicRoute route, out string? error)
    {
        error = null;
        if (route.Kind != TopicKind.AllSessions)
        {
            error = "'labels' filters only apply to the 'sessions' topic";
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            error = "'labels' must be an object of string values";
            return null;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var l in value.EnumerateObject())
        {
            if (l.Value.ValueKind != JsonValueKind.String || !WriteValidator.IsLabelKey(l.Name))
            {
                error = $"label filter '{l.Name}' needs a valid key and a string value";
                return null;
            }

            labels[l.Name] = l.Value.GetString()!;
        }

        return labels.Count == 0 ? null : labels;
    }
}



namespace Switchboard.Server.Live;

/// <summary>The topics Switchboard serves.</summary>
internal enum TopicKind
{
    /// <summary><c>sessions</c>: the events of every session plus the fleet summary, optionally filtered by labels.</summary>
    AllSessions,
    /// <summary><c>summary</c>: the fleet summary alone.</summary>
    SummaryOnly,
    /// <summary><c>session:{id}</c>: the events of one session.</summary>
    OneSession,
    /// <summary><c>usage</c>: rollup increments of a usage query (bucket, group_by, labels, since), pushed at most once a second.</summary>
    Usage,
    /// <summary><c>alerts</c>: every alert event.</summary>
    Alerts,
    /// <summary><c>commands</c>: every command event of the fleet (docs/commands.md).</summary>
    Commands,
    /// <summary><c>approvals</c>: every approval event of the fleet (docs/approvals.md).</summary>
    Approvals,
    /// <summary><c>webhooks</c>: every webhook endpoint's delivery state, pushed whole when it changes (docs/alerts.md).</summary>
    Webhooks,
}

/// <summary>A parsed topic name.</summary>
internal readonly record struct TopicRoute(TopicKind Kind, string Topic, string? SessionId)
{
    public const string SessionsTopic = "sessions";
    public const string SummaryTopic = "summary";
    public const string SessionPrefix = "session:";
    public const string UsageTopic = "usage";
    public const string AlertsTopic = "alerts";
    public const string CommandsTopic = "commands";
    public const string ApprovalsTopic = "approvals";
    public const string WebhooksTopic = "webhooks";

    /// <summary>Every topic with a fixed name (the rest are <c>session:{id}</c>).</summary>
    public static IReadOnlyList<string> Named { get; } = [SessionsTopic, SummaryTopic, UsageTopic, AlertsTopic, CommandsTopic, ApprovalsTopic, WebhooksTopic];

    /// <summary>The topics, for an error that names them.</summary>
    public static string Listed { get; } = string.Join(", ", Named.Select(t => $"'{t}'")) + " and 'session:{id}'";

    /// <summary>Parses a topic; false for anything Switchboard has no route for.</summary>
    public static bool TryParse(string topic, out TopicRoute route)
    {
        switch (topic)
        {
            case SessionsTopic:
                route = new(TopicKind.AllSessions, topic, null);
                return true;
            case SummaryTopic:
                route = new(TopicKind.SummaryOnly, topic, null);
                return true;
            case UsageTopic:
                route = new(TopicKind.Usage, topic, null);
                return true;
            case AlertsTopic:
                route = new(TopicKind.Alerts, topic, null);
                return true;
            case CommandsTopic:
                route = new(TopicKind.Commands, topic, null);
                return true;
            case ApprovalsTopic:
                route = new(TopicKind.Approvals, topic, null);
                return true;
            case WebhooksTopic:
                route = new(TopicKind.Webhooks, topic, null);
                return true;
        }

        if (topic.StartsWith(SessionPrefix, StringComparison.Ordinal) && Switchboard.Core.Sessions.SessionId.IsValid(topic[SessionPrefix.Length..]))
        {
            route = new(TopicKind.OneSession, topic, topic[SessionPrefix.Length..]);
            return true;
        }

        route = default;
        return false;
    }
}

using Switchboard.Core.Events;

namespace Switchboard.Server.Live;

/// <summary>
/// Which logged events belong to a topic, by the rule live delivery applies: a join's replay and a topic read as a
/// durable stream (<c>/v1/stream/topics/…</c>) both ask here, so a reader that catches up gets exactly what one that
/// stayed connected got.
/// </summary>
internal static class TopicMembership
{
    /// <summary>
    /// True when <paramref name="e"/> belongs to <paramref name="route"/> (with its subtree when <paramref name="subtree"/>)
    /// under <paramref name="filter"/>. <paramref name="storedLabels"/> gives a session's stored labels, needed only for
    /// events logged before labels were recorded with them. A reader <paramref name="scoped"/> by its credentials' labels
    /// gets no alert events: alerting is fleet-wide (as on <c>GET /api/events</c>).
    /// </summary>
    public static async ValueTask<bool> IncludesAsync(TopicRoute route, bool subtree, LabelFilter? filter, bool scoped, EventRecord e,
        Func<string, ValueTask<IReadOnlyDictionary<string, string>?>> storedLabels)
    {
        if (scoped && EventTypes.IsAlert(e.Type))
        {
            return false;
        }

        if (route.Kind == TopicKind.OneSession && (subtree ? !JoinCoordinator.InSubtree(e, route.SessionId!) : e.SessionId != route.SessionId))
        {
            return false;
        }

        // Alert events belong to 'alerts', command events to 'commands' and approval events to 'approvals' (and each to
        // their session's topic), never to 'sessions'; those three topics hold nothing else. 'summary', 'usage' and
        // 'webhooks' carry no events at all.
        var kind = route.Kind;
        var aside = EventTypes.IsAlert(e.Type) ? TopicKind.Alerts
            : EventTypes.IsCommand(e.Type) ? TopicKind.Commands
            : EventTypes.IsApproval(e.Type) ? TopicKind.Approvals
            : (TopicKind?)null;
        if (kind is TopicKind.SummaryOnly or TopicKind.Usage or TopicKind.Webhooks
            || (aside is { } own ? kind != own && kind != TopicKind.OneSession
                : kind is TopicKind.Alerts or TopicKind.Commands or TopicKind.Approvals))
        {
            return false;
        }

        if (filter is null || e.SessionId is null)
        {
            return true;
        }

        var fallback = e.Labels is null ? await storedLabels(e.SessionId) : null;
        return filter.Includes(e, fallback, fallback);
    }
}

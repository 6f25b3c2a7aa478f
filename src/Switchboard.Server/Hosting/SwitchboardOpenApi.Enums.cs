using Switchboard.Core.Alerts;
using Switchboard.Core.Approvals;
using Switchboard.Core.Commands;
using Switchboard.Core.Events;
using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;
using Switchboard.Core.UsageRollups;
using Switchboard.Core.Webhooks;
using Switchboard.Server.Alerts;
using Switchboard.Server.Approvals;
using Switchboard.Server.Commands;
using Switchboard.Server.Health;
using Switchboard.Server.Http;
using Switchboard.Server.Live;
using Switchboard.Server.Sessions;
using Switchboard.Server.Usage;
using Switchboard.Server.Webhooks;

namespace Switchboard.Server.Hosting;

/// <summary>The closed sets of names the document lists as enums.</summary>
internal static partial class SwitchboardOpenApi
{
    /// <summary>
    /// The closed sets of names a property takes, as the request parsers check them: session states, event types, alert
    /// conditions and severities, webhook formats and states, usage buckets.
    /// </summary>
    private static string[]? EnumOf(Type owner, string property) =>
        EnumOf(owner.Name, property) ?? (property == "state" && Contracts.Is(owner) ? States : null);

    /// <summary>The sets that belong to one record's property, named by the record's type.</summary>
    private static string[]? EnumOf(string owner, string property) => (owner, property) switch
    {
        (nameof(AlertResponse), "state") => ["open", "resolved"],
        (nameof(CommandResponse), "state") => CommandWire.States,
        (nameof(CommandRequest) or nameof(CommandResponse), "type") => CommandWire.Types,
        (nameof(AlertAction), "type") => CommandWire.ActionTypes,
        (nameof(CommandAckRequest), "outcome") => CommandWire.Outcomes,
        (nameof(WebhookResponse), "state") => [WebhookStates.Active, WebhookStates.Failing],
        (nameof(ApprovalResponse), "kind") => ApprovalWire.Kinds,
        (nameof(ApprovalAnswerRequest), "decision") => ApprovalWire.Decisions,
        (nameof(ApprovalSuggestionResponse), "scope") => ApprovalWire.Scopes,
        (nameof(ApprovalResponse), "state") => ApprovalWire.States,
        (nameof(EventEnvelope), "type") => LoggedEventTypes,
        (nameof(AlertRuleRequest) or nameof(AlertRulePutRequest) or nameof(AlertRuleResponse) or nameof(AlertResponse), "condition") => Conditions,
        (nameof(AlertRuleRequest) or nameof(AlertRulePutRequest) or nameof(AlertRuleResponse) or nameof(AlertResponse), "severity") => Severities,
        (nameof(AlertRuleRequest) or nameof(AlertRulePutRequest) or nameof(AlertRuleResponse), "scope") => [AlertScopes.Session, AlertScopes.Subtree],
        (nameof(WebhookRequest) or nameof(WebhookPutRequest) or nameof(WebhookResponse), "alert_severities") => Severities,
        (nameof(WebhookRequest) or nameof(WebhookPutRequest) or nameof(WebhookResponse), "event_types") => LoggedEventTypes,
        (nameof(WebhookRequest) or nameof(WebhookPutRequest) or nameof(WebhookResponse), "format") => [WebhookFormats.Json, WebhookFormats.Slack],
        (nameof(HealthResponse), "status") => ["ok"],
        (nameof(LiveReadiness), "status") => [.. Enum.GetNames<LiveStatus>().Select(n => n.ToLowerInvariant())],
        (nameof(LoopReadiness), "status") => [.. Enum.GetValues<LoopStatus>().Select(s => new LoopHealth(s, null).Word)],
        (nameof(UsageResponse), "bucket") => [.. UsageBuckets.All.Select(b => b.ToWire())],
        _ => null,
    };

    private static readonly string[] States = [.. SessionStates.All.Select(s => s.ToWire())];

    private static readonly string[] Conditions = [.. Enum.GetValues<AlertCondition>().Select(c => c.ToWire())];

    private static readonly string[] Severities = [.. Enum.GetValues<AlertSeverity>().Select(s => s.ToWire())];

    private static readonly string[] LoggedEventTypes =
        [EventTypes.SessionCreated, EventTypes.SessionUpdated, EventTypes.SessionTerminated, EventTypes.FleetUpdated,
         EventTypes.AlertRaised, EventTypes.AlertResolved, EventTypes.AlertAcknowledged,
         EventTypes.CommandIssued, EventTypes.CommandDelivered, EventTypes.CommandAcknowledged, EventTypes.CommandExpired, EventTypes.CommandWithdrawn,
         EventTypes.ApprovalRequested, EventTypes.ApprovalAnswered, EventTypes.ApprovalExpired, EventTypes.ApprovalWithdrawn];
}

using Switchboard.Server.Commands;
using Switchboard.Server.Http;

namespace Switchboard.Server.Alerts;

// The alert rules' and alerts' requests and responses (see Http/Contracts).

[RequiredFields("name", "condition")]
internal sealed record AlertRuleRequest(string Id, string Name, string Condition, string Severity, int? Seconds, decimal? Threshold,
    string? Metric, int? WindowSeconds, string Scope, Dictionary<string, string> Labels, bool Enabled, AlertAction? Action) : IRequest;

/// <summary>A PUT: the whole rule, and the version it was read at (otherwise a 409 <c>version_conflict</c>).</summary>
[RequiredFields("name", "condition")]
internal sealed record AlertRulePutRequest(string Id, string Name, string Condition, string Severity, int? Seconds, decimal? Threshold,
    string? Metric, int? WindowSeconds, string Scope, Dictionary<string, string> Labels, bool Enabled, AlertAction? Action, long ExpectedVersion) : IRequest;

internal sealed record AlertRuleResponse(string Id, string Name, string Condition, string Severity, int? Seconds, decimal? Threshold,
    string? Metric, int? WindowSeconds, string Scope, Dictionary<string, string> Labels, bool Enabled, string Source, AlertAction? Action,
    long Version) : IResponse;

internal sealed record AlertRuleListResponse(List<AlertRuleResponse> Rules) : IResponse;

internal sealed record AlertResponse(string Id, string RuleId, string RuleName, string Condition, string Severity, string Subject, string? SessionId,
    Dictionary<string, string>? Labels, string State, string Message, decimal? Value, DateTimeOffset RaisedAt, long RaisedSeq,
    DateTimeOffset? ResolvedAt, long? ResolvedSeq, string? ResolveReason, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, string? Note) : IResponse;

internal sealed record AlertListResponse(List<AlertResponse> Alerts, long AsOfSeq) : IResponse;

[RequiredFields("by")]
internal sealed record AcknowledgeRequest(string By, string? Note) : IRequest;

using System.Text.Json;
using System.Text.Json.Serialization;
using Switchboard.Core.Sessions;
using Switchboard.Server.Sessions;

namespace Switchboard.Server.Http;

/// <summary>
/// The wire shapes the OpenAPI document describes (and the clients' types are generated from, clients/codegen). A request
/// record is also the list of fields its parser accepts (<see cref="Fields{T}"/>, the unknown-field check of
/// <see cref="FieldReader"/>), so a request field is declared here once; responses are written by the Json writers.
/// </summary>
internal static class Contracts
{
    // Requests: every field is optional unless listed in RequiredFields, unknown fields are errors (additionalProperties
    // false), and a nullable type means JSON null is accepted (it clears the field). See SwitchboardOpenApi.
    // Records marked [SessionFields] get the session's fields from SessionWire (SessionSchemas); they declare only their own.
    [SessionFields(WireFieldUse.Create)]
    public sealed record CreateSessionRequest : IRequest;

    [SessionFields(WireFieldUse.Update)]
    public sealed record UpdateSessionRequest(long ExpectedVersion) : IRequest;

    [SessionFields(WireFieldUse.AddUsage)]
    public sealed record UsageRequest : IRequest;

    /// <summary>A heartbeat takes no fields; an empty object is accepted.</summary>
    public sealed record HeartbeatRequest : IRequest;

    public sealed record TerminateRequest(string Reason, long ExpectedVersion, bool Cascade) : IRequest;

    [SessionFields(WireFieldUse.Response)]
    public sealed record SessionResponse;

    /// <summary>A page of sessions; <c>as_of_seq</c> is the log position the page was read at (a live view applies only later events to it).</summary>
    public sealed record SessionListResponse(List<SessionResponse> Sessions, string? NextCursor, long AsOfSeq);

    public sealed record CountResponse(long ActiveSessions, long TotalSessions);

    /// <summary>A page of a subtree in tree order (a parent right before its subtree), the session itself first, as of <c>as_of_seq</c>.</summary>
    public sealed record SubtreeResponse(long AsOfSeq, List<SessionResponse> Sessions, string? NextCursor);

    /// <summary>The answer to a heartbeat; <c>commands</c> are the session's outstanding commands (docs/commands.md).</summary>
    public sealed record HeartbeatResponse(string Id, string State, int? LeaseSeconds, DateTimeOffset? LeaseExpiresAt, List<CommandResponse> Commands);

    /// <summary>The answer to a producer's update or usage: the session, and its outstanding commands (docs/commands.md).</summary>
    [SessionFields(WireFieldUse.Response)]
    public sealed record SessionWriteResponse(List<CommandResponse> Commands);

    /// <summary>One operation of a batch: the <c>op</c> names which, and the other fields are those of the single call.</summary>
    [JsonPolymorphic(TypeDiscriminatorPropertyName = "op")]
    [JsonDerivedType(typeof(BatchCreate), "create")]
    [JsonDerivedType(typeof(BatchUpdate), "update")]
    [JsonDerivedType(typeof(BatchUsage), "usage")]
    [JsonDerivedType(typeof(BatchHeartbeat), "heartbeat")]
    [JsonDerivedType(typeof(BatchTerminate), "terminate")]
    public abstract record BatchOperation : IRequest;

    [SessionFields(WireFieldUse.Create)]
    public sealed record BatchCreate : BatchOperation;

    [SessionFields(WireFieldUse.Update)]
    public sealed record BatchUpdate(string Id, long ExpectedVersion) : BatchOperation;

    [SessionFields(WireFieldUse.AddUsage)]
    public sealed record BatchUsage(string Id) : BatchOperation;

    public sealed record BatchHeartbeat(string Id) : BatchOperation;

    public sealed record BatchTerminate(string Id, string Reason, long ExpectedVersion, bool Cascade) : BatchOperation;

    public sealed record BatchRequest(List<BatchOperation> Operations) : IRequest;

    /// <summary>
    /// Exactly one of <c>session</c> (2xx) and <c>problem</c> (4xx, 5xx) is present; <c>commands</c> (the session's outstanding
    /// commands) comes with a successful update, usage or heartbeat.
    /// </summary>
    public sealed record BatchResult(int Status, SessionResponse Session, Problem Problem, List<CommandResponse> Commands);

    public sealed record BatchResponse(List<BatchResult> Results);

    /// <summary>RFC 9457 problem details, as <c>application/problem+json</c> (and inside batch results).</summary>
    public sealed record Problem(string Type, string Title, int Status, string Detail, string Instance, string Code, string Field);

    public sealed record FleetResponse(bool IsPaused);

    public sealed record SummaryResponse(
        long AsOfSeq, long ActiveCount, long TotalCount, Dictionary<string, long> Counts, long TasksRunning, long InputTokens,
        long OutputTokens, long TotalTokens, decimal EstimatedCostUsd, bool IsPaused, long DurationSeconds, string Epoch);

    public sealed record EventEnvelope(long Seq, string Epoch, string Type, string? SessionId, DateTimeOffset At, JsonElement Data);

    public sealed record EventsResponse(string Epoch, long HeadSeq, List<EventEnvelope> Events, long NextSince, bool HasMore);

    public sealed record UsagePoint(
        DateTimeOffset Start, long InputTokens, long OutputTokens, long TotalTokens, decimal CostUsd, long SessionsCreated,
        long SessionsTerminated, long SessionsErrored, decimal BusySeconds, long PeakActiveSessions);

    public sealed record UsageSeries(Dictionary<string, string> Group, List<UsagePoint> Points);

    public sealed record UsageResponse(
        string Bucket, string GroupBy, DateTimeOffset Since, DateTimeOffset Until, string Epoch, long AsOfSeq, List<UsageSeries> Series);

    public sealed record AuthResponse(bool Enabled, string? Scope, string? Role, string? Name, Dictionary<string, string>? Labels);

    public sealed record AlertRuleRequest(string Id, string Name, string Condition, string Severity, int? Seconds, decimal? Threshold,
        string? Metric, int? WindowSeconds, string Scope, Dictionary<string, string> Labels, bool Enabled, AlertAction? Action) : IRequest;

    public sealed record AlertRuleResponse(string Id, string Name, string Condition, string Severity, int? Seconds, decimal? Threshold,
        string? Metric, int? WindowSeconds, string Scope, Dictionary<string, string> Labels, bool Enabled, string Source, AlertAction? Action);

    /// <summary>The command a rule issues to the session an alert of it is raised about, once per alert (docs/commands.md).</summary>
    public sealed record AlertAction(string Type, string? Text) : IRequest;

    public sealed record CommandRequest(string Type, string? Text, JsonElement? Data, int ExpiresInSeconds) : IRequest;

    public sealed record CommandAckRequest(string Outcome, string? Note) : IRequest;

    public sealed record CommandResponse(string Id, string SessionId, string Type, string? Text, JsonElement? Data, string State, DateTimeOffset IssuedAt,
        string IssuedBy, DateTimeOffset ExpiresAt, DateTimeOffset? DeliveredAt, int Attempt, DateTimeOffset? AcknowledgedAt, string? Outcome, string? Note);

    public sealed record CommandListResponse(List<CommandResponse> Commands, long AsOfSeq);

    public sealed record ApprovalRequest(string Summary, string? Tool, JsonElement? Data, int ExpiresInSeconds) : IRequest;

    /// <summary>An operator's answer: <c>answers</c> only with <c>answer</c>, <c>suggestion</c> only with <c>allow</c>, <c>interrupt</c> only with <c>deny</c>.</summary>
    public sealed record ApprovalAnswerRequest(string Decision, string? Note, bool Interrupt, Dictionary<string, string>? Answers, int? Suggestion) : IRequest;

    public sealed record ApprovalResponse(string Id, string SessionId, string Kind, string? Tool, string Summary, JsonElement? Data, JsonElement? Input,
        bool InputTruncated, List<ApprovalQuestionResponse>? Questions, string? Plan, List<ApprovalSuggestionResponse> Suggestions, string? Cwd, string State,
        DateTimeOffset RequestedAt, string RequestedBy, string? RequestedKey, DateTimeOffset ExpiresAt, DateTimeOffset? AnsweredAt, string? AnsweredBy,
        string? Note, Dictionary<string, string>? Answers, bool? Interrupt, int? AppliedSuggestion, string? HeldBy, string? Reason);

    /// <summary>A question of a <c>question</c> approval; a person may also answer with free text.</summary>
    public sealed record ApprovalQuestionResponse(string Question, string? Header, List<ApprovalOptionResponse> Options, bool MultiSelect);

    public sealed record ApprovalOptionResponse(string Label, string? Description);

    /// <summary>A rule the agent offers to remember with an allow; <c>permission</c> is the agent's own object.</summary>
    public sealed record ApprovalSuggestionResponse(string Label, string Scope, JsonElement Permission);

    public sealed record ApprovalListResponse(List<ApprovalResponse> Approvals, long AsOfSeq);

    public sealed record AlertRuleListResponse(List<AlertRuleResponse> Rules);

    public sealed record AlertResponse(string Id, string RuleId, string RuleName, string Condition, string Severity, string Subject, string? SessionId,
        Dictionary<string, string>? Labels, string State, string Message, decimal? Value, DateTimeOffset RaisedAt, long RaisedSeq,
        DateTimeOffset? ResolvedAt, long? ResolvedSeq, string? ResolveReason, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, string? Note);

    public sealed record AlertListResponse(List<AlertResponse> Alerts, long AsOfSeq);

    public sealed record AcknowledgeRequest(string By, string? Note) : IRequest;

    public sealed record WebhookRequest(string Id, string Url, string Secret, List<string> EventTypes, Dictionary<string, string> Labels,
        List<string> AlertSeverities, string Format, bool Enabled) : IRequest;

    public sealed record WebhookResponse(string Id, string Url, string? Secret, List<string> EventTypes, Dictionary<string, string> Labels,
        List<string> AlertSeverities, string Format, bool Enabled, string State, long Cursor, long Lag, long Attempts, long Failures,
        int ConsecutiveFailures, string? LastError, DateTimeOffset? LastAttemptAt, string? DeliveringNode, DateTimeOffset CreatedAt);

    public sealed record WebhookListResponse(List<WebhookResponse> Webhooks);

    public sealed record ReplayRequest(long FromSeq) : IRequest;

    public sealed record TokenRequest(List<string> Topics, Dictionary<string, string> Labels, long TtlSeconds) : IRequest;

    public sealed record TokenResponse(string Token, string TokenType, DateTimeOffset ExpiresAt, long ExpiresIn, List<string> Topics, Dictionary<string, string>? Labels);

    /// <summary>The record's schema also has <see cref="SessionWire"/>'s fields with this use (see <see cref="SessionSchemas"/>).</summary>
    [AttributeUsage(AttributeTargets.Class)]
    public sealed class SessionFieldsAttribute(WireFieldUse use) : Attribute
    {
        public WireFieldUse Use { get; } = use;
    }

    /// <summary>Marks a request body: fields are optional unless <see cref="RequiredFields"/> names them; unknown fields are errors.</summary>
    public interface IRequest;

    /// <summary>
    /// The wire names of a request record's fields, in declaration order: what its parser accepts (anything else is an
    /// unknown-field error) and what the OpenAPI schema lists.
    /// </summary>
    public static string[] Fields<T>()
        where T : IRequest =>
        [.. typeof(T).GetConstructors().Single().GetParameters().Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name!))];

    /// <summary>The fields a request must have (wire names); the rest may be left out.</summary>
    public static IReadOnlyList<string> RequiredFields(Type type) => type.Name switch
    {
        nameof(BatchRequest) => ["operations"],
        nameof(BatchUpdate) or nameof(BatchUsage) or nameof(BatchHeartbeat) or nameof(BatchTerminate) => ["op", "id"],
        nameof(BatchCreate) => ["op"],
        nameof(AlertRuleRequest) => ["name", "condition"],
        nameof(AcknowledgeRequest) => ["by"],
        nameof(WebhookRequest) => ["url"],
        nameof(ReplayRequest) => ["from_seq"],
        nameof(AlertAction) => ["type"],
        nameof(CommandRequest) => ["type"],
        nameof(CommandAckRequest) => ["outcome"],
        _ => [],
    };

    /// <summary>Response fields that are left out rather than written as null.</summary>
    public static IReadOnlyList<string> OptionalResponseFields(Type type) => type.Name switch
    {
        nameof(BatchResult) => ["session", "problem", "commands"],
        nameof(Problem) => ["instance", "field"],
        nameof(WebhookResponse) => ["secret"],
        _ => [],
    };
}

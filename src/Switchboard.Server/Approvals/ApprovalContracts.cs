using System.Text.Json;
using Switchboard.Server.Http;

namespace Switchboard.Server.Approvals;

// The approvals' requests and responses (see Http/Contracts).

internal sealed record ApprovalRequest(string Summary, string? Tool, JsonElement? Data, int ExpiresInSeconds) : IRequest;

/// <summary>An operator's answer: <c>answers</c> only with <c>answer</c>, <c>suggestion</c> only with <c>allow</c>, <c>interrupt</c> only with <c>deny</c>.</summary>
internal sealed record ApprovalAnswerRequest(string Decision, string? Note, bool Interrupt, Dictionary<string, string>? Answers, int? Suggestion) : IRequest;

internal sealed record ApprovalResponse(string Id, string SessionId, string Kind, string? Tool, string Summary, JsonElement? Data, JsonElement? Input,
    bool InputTruncated, List<ApprovalQuestionResponse>? Questions, string? Plan, List<ApprovalSuggestionResponse> Suggestions, string? Cwd, string State,
    DateTimeOffset RequestedAt, string RequestedBy, string? RequestedKey, DateTimeOffset ExpiresAt, DateTimeOffset? AnsweredAt, string? AnsweredBy,
    string? Note, Dictionary<string, string>? Answers, bool? Interrupt, int? AppliedSuggestion, string? HeldBy, string? Reason) : IResponse;

/// <summary>A question of a <c>question</c> approval; a person may also answer with free text.</summary>
internal sealed record ApprovalQuestionResponse(string Question, string? Header, List<ApprovalOptionResponse> Options, bool MultiSelect) : IResponse;

internal sealed record ApprovalOptionResponse(string Label, string? Description) : IResponse;

/// <summary>A rule the agent offers to remember with an allow; <c>permission</c> is the agent's own object.</summary>
internal sealed record ApprovalSuggestionResponse(string Label, string Scope, JsonElement Permission) : IResponse;

internal sealed record ApprovalListResponse(List<ApprovalResponse> Approvals, long AsOfSeq) : IResponse;

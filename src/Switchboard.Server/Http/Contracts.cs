using System.Text.Json;

namespace Switchboard.Http;

/// <summary>
/// The wire shapes, for the OpenAPI document only: requests are read by <see cref="FieldReader"/> and responses
/// written by <see cref="Json.SessionJson"/>, so these records describe the API without being on its path.
/// </summary>
internal static class Contracts
{
    public sealed record CreateSessionRequest(
        string? Id, string? Name, string? State, Dictionary<string, string>? Labels, JsonElement? Metadata, string? ErrorMessage,
        long? InputTokens, long? OutputTokens, decimal? CostUsd, int? TasksRunning, int? LeaseSeconds);

    public sealed record UpdateSessionRequest(
        string? State, string? Name, Dictionary<string, string>? Labels, JsonElement? Metadata, string? ErrorMessage,
        int? TasksRunning, int? LeaseSeconds, long? ExpectedVersion);

    public sealed record UsageRequest(long? InputTokens, long? OutputTokens, decimal? CostUsd);

    public sealed record TerminateRequest(string? Reason, long? ExpectedVersion);

    public sealed record SessionResponse(
        string Id, string? Name, string State, Dictionary<string, string> Labels, JsonElement Metadata, string? ErrorMessage,
        long InputTokens, long OutputTokens, long TotalTokens, decimal CostUsd, int TasksRunning, int? LeaseSeconds,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? TerminatedAt, long Version);

    public sealed record SessionListResponse(List<SessionResponse> Sessions, string? NextCursor);

    public sealed record CountResponse(long ActiveSessions, long TotalSessions);

    public sealed record HeartbeatResponse(string Id, string State, int? LeaseSeconds, DateTimeOffset? LeaseExpiresAt);

    public sealed record BatchOperation(string Op, string? Id);

    public sealed record BatchRequest(List<BatchOperation> Operations);

    public sealed record BatchResult(int Status, SessionResponse? Session, JsonElement? Problem);

    public sealed record BatchResponse(List<BatchResult> Results);

    public sealed record FleetResponse(bool IsPaused);

    public sealed record SummaryResponse(
        long AsOfSeq, long ActiveCount, long TotalCount, Dictionary<string, long> Counts, long TasksRunning, long InputTokens,
        long OutputTokens, long TotalTokens, decimal EstimatedCostUsd, bool IsPaused, long DurationSeconds, string Epoch);

    public sealed record EventEnvelope(long? Seq, string Epoch, string Type, string? SessionId, DateTimeOffset At, JsonElement Data);

    public sealed record EventsResponse(string Epoch, long HeadSeq, List<EventEnvelope> Events, long NextSince, bool HasMore);

    public sealed record AuthResponse(bool Enabled, string? Scope);

    public sealed record TokenRequest(List<string>? Topics, Dictionary<string, string>? Labels, long? TtlSeconds);

    public sealed record TokenResponse(string Token, string TokenType, DateTimeOffset ExpiresAt, long ExpiresIn, List<string> Topics, Dictionary<string, string>? Labels);
}

using System.Text.Json;

namespace Switchboard.Server.Http;

/// <summary>RFC 9457 problem details, as <c>application/problem+json</c> (and inside batch results).</summary>
[OptionalFields("instance", "field")]
internal sealed record Problem(string Type, string Title, int Status, string Detail, string Instance, string Code, string Field) : IResponse;

/// <summary>
/// A command as the API shows it. Shared: the commands' endpoints answer with it, and so do a session's heartbeat, update
/// and usage (its outstanding commands); the sessions' room cannot name a type of the commands' room, which depends on it.
/// </summary>
internal sealed record CommandResponse(string Id, string SessionId, string Type, string? Text, JsonElement? Data, string State, DateTimeOffset IssuedAt,
    string IssuedBy, DateTimeOffset ExpiresAt, DateTimeOffset? DeliveredAt, int Attempt, DateTimeOffset? AcknowledgedAt, string? Outcome, string? Note) : IResponse;

using Switchboard.Server.Http;

namespace Switchboard.Server.Webhooks;

// The webhooks' requests and responses (see Http/Contracts).

[RequiredFields("url")]
internal sealed record WebhookRequest(string Id, string Url, string Secret, List<string> EventTypes, Dictionary<string, string> Labels,
    List<string> AlertSeverities, string Format, bool Enabled) : IRequest;

/// <summary>A PUT: the whole configuration, and the version it was read at (otherwise a 409 <c>version_conflict</c>).</summary>
[RequiredFields("url")]
internal sealed record WebhookPutRequest(string Id, string Url, string Secret, List<string> EventTypes, Dictionary<string, string> Labels,
    List<string> AlertSeverities, string Format, bool Enabled, long ExpectedVersion) : IRequest;

[OptionalFields("secret")]
internal sealed record WebhookResponse(string Id, string Url, string? Secret, List<string> EventTypes, Dictionary<string, string> Labels,
    List<string> AlertSeverities, string Format, bool Enabled, string State, long Cursor, long Lag, long Attempts, long Failures,
    int ConsecutiveFailures, string? LastError, DateTimeOffset? LastAttemptAt, string? DeliveringNode, DateTimeOffset CreatedAt, long Version) : IResponse;

internal sealed record WebhookListResponse(List<WebhookResponse> Webhooks) : IResponse;

[RequiredFields("from_seq")]
internal sealed record ReplayRequest(long FromSeq) : IRequest;

namespace Switchboard.Core.Webhooks;

/// <summary>
/// A webhook endpoint: where events are POSTed, which ones, and how far delivery got. The configuration is set over
/// HTTP; the delivery state (<see cref="Cursor"/>, <see cref="State"/>, counters, the lease) belongs to whichever node
/// delivers it.
/// </summary>
internal sealed record WebhookEndpoint
{
    /// <summary>1–64 characters from <c>[A-Za-z0-9._:-]</c>.</summary>
    public required string Id { get; init; }
    /// <summary>An absolute http or https URL.</summary>
    public required string Url { get; init; }
    /// <summary>The HMAC-SHA256 key for <c>Switchboard-Signature</c>.</summary>
    public required string Secret { get; init; }
    /// <summary>Only these event types; empty for all.</summary>
    public IReadOnlyList<string> EventTypes { get; init; } = [];
    /// <summary>Only events of sessions carrying all these labels (fleet events have none and pass only an empty filter).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Only alert events of these severities; empty for all. Other event types are not affected.</summary>
    public IReadOnlyList<string> AlertSeverities { get; init; } = [];
    /// <summary><c>json</c> (the envelope) or <c>slack</c> (<c>{"text": …}</c>).</summary>
    public string Format { get; init; } = WebhookFormats.Json;
    /// <summary>A disabled endpoint keeps its cursor and receives nothing.</summary>
    public bool Enabled { get; init; } = true;
    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>
    /// The configuration's version: 1 on create, one more on every PUT that changes the configuration. Delivery (the
    /// cursor, the state, the counters, the lease) and a replay leave it alone.
    /// </summary>
    public long Version { get; init; } = 1;

    /// <summary>Every event with a seq up to this one was delivered or filtered out.</summary>
    public long Cursor { get; init; }
    /// <summary><c>active</c>, or <c>failing</c> after too many failed attempts (delivery stops; the cursor stays).</summary>
    public string State { get; init; } = WebhookStates.Active;
    /// <summary>POSTs made since creation.</summary>
    public long Attempts { get; init; }
    /// <summary>POSTs that failed since creation.</summary>
    public long Failures { get; init; }
    /// <summary>Failures in a row for the event at the cursor.</summary>
    public int ConsecutiveFailures { get; init; }
    /// <summary>Why the last attempt failed.</summary>
    public string? LastError { get; init; }
    /// <summary>When the last POST was made.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }
    /// <summary>The node delivering it, while its lease runs.</summary>
    public string? LeaseOwner { get; init; }
    /// <summary>When that node's lease ends unless renewed.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }
}

/// <summary>Body formats.</summary>
internal static class WebhookFormats
{
    /// <summary>The event envelope as JSON.</summary>
    public const string Json = "json";
    /// <summary>A Slack-compatible incoming-webhook body.</summary>
    public const string Slack = "slack";
}

/// <summary>Delivery states.</summary>
internal static class WebhookStates
{
    /// <summary>Delivering.</summary>
    public const string Active = "active";
    /// <summary>Gave up after the configured attempts; replay to resume.</summary>
    public const string Failing = "failing";
}

/// <summary>How delivery moved on: a new cursor and counters, written only by the lease holder.</summary>
internal sealed record WebhookProgress(long Cursor, string State, long Attempts, long Failures, int ConsecutiveFailures, string? LastError, DateTimeOffset? LastAttemptAt);

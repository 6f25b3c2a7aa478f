namespace Switchboard.Client;

/// <summary>
/// A request carrying usage failed in a way that may or may not have applied it. Increments are not idempotent,
/// so the handle does not resend them; <see cref="Usage"/> says how much may be missing.
/// </summary>
public sealed class SwitchboardUsageUncertainException(string sessionId, Usage usage, Exception inner)
    : Exception($"Usage for session '{sessionId}' ({usage.InputTokens} input tokens, {usage.OutputTokens} output tokens, ${usage.CostUsd}) may not have been recorded: {inner.Message}", inner)
{
    /// <summary>The session.</summary>
    public string SessionId { get; } = sessionId;

    /// <summary>The increment whose outcome is unknown.</summary>
    public Usage Usage { get; } = usage;
}

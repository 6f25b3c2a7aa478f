using System.Globalization;
using Switchboard.Core.Alerts;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;

namespace Switchboard.Server.Alerts;

/// <summary>The per-session conditions, and the alert and message a rule raises. Pure: the evaluator's parts hold the state.</summary>
internal static class AlertConditions
{
    /// <summary>Whether <paramref name="rule"/> holds for <paramref name="s"/> at <paramref name="now"/>; <paramref name="waitingSince"/>: when it entered <c>waiting</c>.</summary>
    public static bool Holds(AlertRule rule, Session s, DateTimeOffset now, DateTimeOffset waitingSince, out decimal? value, out string? message)
    {
        value = null;
        message = null;
        switch (rule.Condition)
        {
            case AlertCondition.SessionError when s.State == SessionState.Error:
                message = $"Session '{s.Id}' is in error" + (s.ErrorMessage is { } why ? $": {Clip(why)}" : ".");
                return true;
            case AlertCondition.LeaseExpired when s.State == SessionState.Error && s.ErrorMessage == SessionTransitions.LeaseExpiredReason:
                message = $"Session '{s.Id}' stopped renewing its lease; it was moved to error.";
                return true;
            case AlertCondition.Stalled when s.State == SessionState.Working && now - s.UpdatedAt >= TimeSpan.FromSeconds(rule.Seconds!.Value):
                value = (decimal)Math.Floor((now - s.UpdatedAt).TotalSeconds);
                message = $"Session '{s.Id}' has been working with no change for {value} s (limit {rule.Seconds} s).";
                return true;
            case AlertCondition.Waiting when s.State == SessionState.Waiting && now - waitingSince >= TimeSpan.FromSeconds(rule.Seconds!.Value):
                value = (decimal)Math.Floor((now - waitingSince).TotalSeconds);
                message = $"Session '{s.Id}' has been waiting for a person for {value} s (limit {rule.Seconds} s).";
                return true;
            case AlertCondition.SessionCost when rule.IsSubtree && s.Subtree.CostUsd >= rule.Threshold:
                value = s.Subtree.CostUsd;
                message = $"The subtree of session '{s.Id}' ({s.Subtree.Sessions} sessions) has cost {Format(s.Subtree.CostUsd)} USD (threshold {Format(rule.Threshold)}).";
                return true;
            case AlertCondition.SessionTokens when rule.IsSubtree && s.Subtree.TotalTokens >= rule.Threshold:
                value = s.Subtree.TotalTokens;
                message = $"The subtree of session '{s.Id}' ({s.Subtree.Sessions} sessions) has used {s.Subtree.TotalTokens} tokens (threshold {Format(rule.Threshold)}).";
                return true;
            case AlertCondition.SessionCost when !rule.IsSubtree && s.CostUsd >= rule.Threshold:
                value = s.CostUsd;
                message = $"Session '{s.Id}' has cost {Format(s.CostUsd)} USD (threshold {Format(rule.Threshold)}).";
                return true;
            case AlertCondition.SessionTokens when !rule.IsSubtree && s.TotalTokens >= rule.Threshold:
                value = s.TotalTokens;
                message = $"Session '{s.Id}' has used {s.TotalTokens} tokens (threshold {Format(rule.Threshold)}).";
                return true;
            default:
                return false;
        }
    }

    public static Alert NewAlert(AlertRule rule, string subject, Session? session, decimal? value, string message) => new()
    {
        Id = Alert.NewId(),
        RuleId = rule.Id,
        RuleName = rule.Name,
        Condition = rule.Condition,
        Severity = rule.Severity,
        Subject = subject,
        SessionId = session?.Id,
        Labels = session?.Labels,
        Message = message,
        Value = value,
    };

    public static string Scope(AlertRule rule) =>
        rule.Labels.Count == 0 ? "the fleet" : "sessions with " + string.Join(", ", rule.Labels.Select(kv => $"{kv.Key}={kv.Value}"));

    public static string Format(decimal? value) => value is { } v ? Switchboard.Core.Json.Decimals.Normalize(v).ToString(CultureInfo.InvariantCulture) : "";

    private static string Clip(string text) => text.Length > 200 ? text[..200] + "…" : text;
}

using Switchboard.Core.Errors;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Alerts;

/// <summary>Checks a rule, from configuration or HTTP, before it is used or stored.</summary>
internal static class AlertRuleValidator
{
    /// <summary>Most characters in a rule id.</summary>
    public const int MaxIdLength = 64;

    /// <summary>Most characters in a rule name.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Most seconds for a stalled or waiting rule (one week).</summary>
    public const int MaxSeconds = 7 * 24 * 3600;

    /// <summary>The shortest sliding window (one minute: the rollups' finest bucket).</summary>
    public const int MinWindowSeconds = 60;

    /// <summary>The longest sliding window (one day).</summary>
    public const int MaxWindowSeconds = 86_400;

    /// <summary>True when <paramref name="id"/> is a valid rule id.</summary>
    public static bool IsValidId(string? id) => id is { Length: > 0 and <= MaxIdLength } && SessionId.IsValid(id);

    /// <summary>The first rule <paramref name="rule"/> breaks, or null.</summary>
    public static SwitchboardError? Validate(AlertRule rule)
    {
        if (!IsValidId(rule.Id))
        {
            return SwitchboardError.InvalidField("id", $"'id' must be 1–{MaxIdLength} characters from [A-Za-z0-9._:-]; got '{Clip(rule.Id)}'.");
        }

        if (string.IsNullOrWhiteSpace(rule.Name) || rule.Name.Length > MaxNameLength)
        {
            return SwitchboardError.InvalidField("name", $"'name' is required and at most {MaxNameLength} characters.");
        }

        if (rule.Labels.Count > SessionLimits.MaxLabels)
        {
            return SwitchboardError.InvalidField("labels", $"'labels' may have at most {SessionLimits.MaxLabels} entries.");
        }

        if (rule.Action is { } action && ActionRule(rule, action) is { } actionError)
        {
            return actionError;
        }

        if (rule.Scope is not (AlertScopes.Session or AlertScopes.Subtree))
        {
            return SwitchboardError.InvalidField("scope", $"'scope' must be session or subtree; got '{Clip(rule.Scope)}'.");
        }

        if (rule.IsSubtree && rule.Condition is not (AlertCondition.SessionCost or AlertCondition.SessionTokens))
        {
            return SwitchboardError.InvalidField("scope",
                $"'scope': 'subtree' is for session_cost and session_tokens rules (a subtree's cost or tokens); a '{rule.Condition.ToWire()}' rule watches each session on its own.");
        }

        if (!rule.IsWindowed && (rule.Metric is not null || rule.WindowSeconds is not null))
        {
            return SwitchboardError.InvalidField(rule.Metric is not null ? "metric" : "window_seconds",
                $"A '{rule.Condition.ToWire()}' rule takes neither 'metric' nor 'window_seconds'; they are for burn_rate and error_count.");
        }

        switch (rule.Condition)
        {
            case AlertCondition.BurnRate or AlertCondition.ErrorCount:
                if (rule.WindowSeconds is not { } w || w < MinWindowSeconds || w > MaxWindowSeconds)
                {
                    return SwitchboardError.InvalidField("window_seconds",
                        $"A '{rule.Condition.ToWire()}' rule needs 'window_seconds' between {MinWindowSeconds} and {MaxWindowSeconds}: the sliding window it counts over.");
                }

                if (rule.Condition == AlertCondition.BurnRate && rule.Metric is not ("cost" or "tokens"))
                {
                    return SwitchboardError.InvalidField("metric", "A 'burn_rate' rule needs 'metric': cost (USD per hour) or tokens (tokens per hour).");
                }

                if (rule.Condition == AlertCondition.ErrorCount && rule.Metric is not null)
                {
                    return SwitchboardError.InvalidField("metric", "An 'error_count' rule takes no 'metric'.");
                }

                if (rule.Threshold is not { } limit || limit <= 0)
                {
                    return SwitchboardError.InvalidField("threshold", rule.Condition == AlertCondition.BurnRate
                        ? "A 'burn_rate' rule needs a 'threshold' greater than 0, per hour."
                        : "An 'error_count' rule needs a 'threshold' greater than 0: how many errors in the window raise it.");
                }

                return rule.Seconds is null ? null : SwitchboardError.InvalidField("seconds", $"A '{rule.Condition.ToWire()}' rule takes 'window_seconds', not 'seconds'.");
            case AlertCondition.Stalled or AlertCondition.Waiting:
                if (rule.Seconds is not { } s || s < 1 || s > MaxSeconds)
                {
                    return SwitchboardError.InvalidField("seconds", $"A '{rule.Condition.ToWire()}' rule needs 'seconds' between 1 and {MaxSeconds}: " + (rule.Condition == AlertCondition.Stalled
                        ? "how long a working session may go without a change."
                        : "how long a session may wait for a person."));
                }

                return rule.Threshold is null ? null : SwitchboardError.InvalidField("threshold", $"A '{rule.Condition.ToWire()}' rule takes 'seconds', not 'threshold'.");
            case AlertCondition.SessionCost or AlertCondition.SessionTokens or AlertCondition.ActiveCount:
                if (rule.Threshold is not { } t || t <= 0)
                {
                    return SwitchboardError.InvalidField("threshold", $"A '{rule.Condition.ToWire()}' rule needs a 'threshold' greater than 0 (the alert is raised when the value reaches it).");
                }

                return rule.Seconds is null ? null : SwitchboardError.InvalidField("seconds", $"A '{rule.Condition.ToWire()}' rule takes 'threshold', not 'seconds'.");
            default:
                return rule.Seconds is null && rule.Threshold is null ? null
                    : SwitchboardError.InvalidField(rule.Seconds is null ? "threshold" : "seconds", $"A '{rule.Condition.ToWire()}' rule takes neither 'seconds' nor 'threshold'.");
        }
    }

    /// <summary>An action issues a command about the alert's session, so only rules about one session take one.</summary>
    private static SwitchboardError? ActionRule(AlertRule rule, Switchboard.Core.Commands.CommandAction action)
    {
        if (!rule.IsPerSession)
        {
            return SwitchboardError.InvalidField("action",
                $"A '{rule.Condition.ToWire()}' rule is about the fleet, not one session, so it takes no 'action'; actions go on session_error, lease_expired, stalled, session_cost, session_tokens and waiting rules.");
        }

        if (action.Type == Switchboard.Core.Commands.CommandType.Resume)
        {
            return SwitchboardError.InvalidField("action.type", $"'action.type' must be one of {string.Join(", ", Switchboard.Core.Commands.CommandWire.ActionTypes)}.");
        }

        return Switchboard.Core.Commands.CommandValidator.Issue(action.Type, action.Text, null, Switchboard.Core.Commands.CommandLimits.DefaultExpirySeconds) is { } error
            ? error with { Field = "action." + error.Field }
            : null;
    }

    private static string Clip(string? text) => text is null ? "" : text.Length > 64 ? text[..64] + "…" : text;
}

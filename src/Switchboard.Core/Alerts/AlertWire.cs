using System.Diagnostics.CodeAnalysis;

namespace Switchboard.Core.Alerts;

/// <summary>Wire names of conditions and severities.</summary>
internal static class AlertWire
{
    /// <summary>Every condition's wire name, for messages.</summary>
    public const string ConditionList = "session_error, lease_expired, stalled, session_cost, session_tokens, active_count, burn_rate, error_count, waiting";

    /// <summary>Every severity's wire name, for messages.</summary>
    public const string SeverityList = "info, warning, critical";

    /// <summary>The wire name.</summary>
    public static string ToWire(this AlertCondition condition) => condition switch
    {
        AlertCondition.SessionError => "session_error",
        AlertCondition.LeaseExpired => "lease_expired",
        AlertCondition.Stalled => "stalled",
        AlertCondition.SessionCost => "session_cost",
        AlertCondition.SessionTokens => "session_tokens",
        AlertCondition.ActiveCount => "active_count",
        AlertCondition.BurnRate => "burn_rate",
        AlertCondition.ErrorCount => "error_count",
        AlertCondition.Waiting => "waiting",
        _ => throw new ArgumentOutOfRangeException(nameof(condition)),
    };

    /// <summary>The wire name.</summary>
    public static string ToWire(this AlertSeverity severity) => severity switch
    {
        AlertSeverity.Info => "info",
        AlertSeverity.Warning => "warning",
        AlertSeverity.Critical => "critical",
        _ => throw new ArgumentOutOfRangeException(nameof(severity)),
    };

    /// <summary>Parses a condition's wire name.</summary>
    public static bool TryParseCondition(string? text, [NotNullWhen(true)] out AlertCondition? condition)
    {
        condition = text switch
        {
            "session_error" => AlertCondition.SessionError,
            "lease_expired" => AlertCondition.LeaseExpired,
            "stalled" => AlertCondition.Stalled,
            "session_cost" => AlertCondition.SessionCost,
            "session_tokens" => AlertCondition.SessionTokens,
            "active_count" => AlertCondition.ActiveCount,
            "burn_rate" => AlertCondition.BurnRate,
            "error_count" => AlertCondition.ErrorCount,
            "waiting" => AlertCondition.Waiting,
            _ => null,
        };
        return condition is not null;
    }

    /// <summary>Parses a severity's wire name.</summary>
    public static bool TryParseSeverity(string? text, [NotNullWhen(true)] out AlertSeverity? severity)
    {
        severity = text switch
        {
            "info" => AlertSeverity.Info,
            "warning" => AlertSeverity.Warning,
            "critical" => AlertSeverity.Critical,
            _ => null,
        };
        return severity is not null;
    }
}

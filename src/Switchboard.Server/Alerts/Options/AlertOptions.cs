using Switchboard.Core.Hosting;

namespace Switchboard.Server.Alerts.Options;

/// <summary>Alerts (<c>Switchboard:Alerts</c>). See docs/alerts.md.</summary>
public sealed class AlertOptions
{
    /// <summary>False turns the evaluator off: no alert is raised or resolved (acknowledging still works). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Rules from configuration; read-only over HTTP. Each needs a unique <c>Id</c>.</summary>
    public List<AlertRuleOptions> Rules { get; } = [];

    /// <summary>
    /// How often the evaluator re-reads rules stored over HTTP, to pick up changes made on other nodes (a change on this
    /// node applies at once). Default 10 s.
    /// </summary>
    public TimeSpan RuleRefreshInterval { get; set; } = SwitchboardDefaults.AlertRuleRefreshInterval;

    /// <summary>
    /// Applied events the evaluator may have waiting in its inbox. When it falls this far behind, the live fan-out waits
    /// for it (and admission control slows the writers) instead of the inbox growing. Default 4096.
    /// </summary>
    public int MaxPendingEvents { get; set; } = SwitchboardDefaults.AlertMaxPendingEvents;
}

/// <summary>One rule as configuration spells it (<c>Switchboard:Alerts:Rules:0:Condition=stalled</c>, …).</summary>
public sealed class AlertRuleOptions
{
    /// <summary>1–64 characters from <c>[A-Za-z0-9._:-]</c>.</summary>
    public string? Id { get; set; }

    /// <summary>A display name; defaults to the id.</summary>
    public string? Name { get; set; }

    /// <summary>session_error, lease_expired, stalled, session_cost, session_tokens, active_count, burn_rate, error_count or waiting.</summary>
    public string? Condition { get; set; }

    /// <summary>info, warning (default) or critical.</summary>
    public string? Severity { get; set; }

    /// <summary>For stalled: seconds without a change; for waiting: seconds in <c>waiting</c>.</summary>
    public int? Seconds { get; set; }

    /// <summary>For session_cost, session_tokens and active_count: the value that raises the alert.</summary>
    public decimal? Threshold { get; set; }

    /// <summary>For burn_rate: cost or tokens.</summary>
    public string? Metric { get; set; }

    /// <summary>For burn_rate and error_count: the sliding window in seconds.</summary>
    public int? WindowSeconds { get; set; }

    /// <summary>For session_cost and session_tokens: session (default) or subtree (the session and all its descendants).</summary>
    public string? Scope { get; set; }

    /// <summary>Only sessions with all these labels.</summary>
    public Dictionary<string, string> Labels { get; } = new(StringComparer.Ordinal);

    /// <summary>Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The command issued to the session an alert of this rule is raised about (once per alert); null for none. See docs/commands.md.</summary>
    public AlertActionOptions? Action { get; set; }
}

/// <summary>A rule's action as configuration spells it (<c>Switchboard:Alerts:Rules:0:Action:Type=cancel</c>).</summary>
public sealed class AlertActionOptions
{
    /// <summary>cancel, pause or message.</summary>
    public string? Type { get; set; }

    /// <summary>The text sent with the command (required for message).</summary>
    public string? Text { get; set; }
}

using Switchboard.Core.Alerts;
using Switchboard.Core.Hosting;
using Switchboard.Server.Options;

namespace Switchboard.Server.Alerts;

/// <summary>The rules of <c>Switchboard:Alerts:Rules</c>, checked once at start-up.</summary>
internal sealed class ConfiguredAlertRules
{
    public ConfiguredAlertRules(SwitchboardOptions options)
    {
        var rules = new List<AlertRule>();
        for (var i = 0; i < options.Alerts.Rules.Count; i++)
        {
            var o = options.Alerts.Rules[i];
            var where = $"Switchboard:Alerts:Rules:{i}";
            if (!AlertWire.TryParseCondition(o.Condition, out var condition))
            {
                throw new SwitchboardStartupException($"{where}:Condition must be one of {AlertWire.ConditionList}; got '{o.Condition}'.");
            }

            AlertSeverity? severity = AlertSeverity.Warning;
            if (o.Severity is not null && !AlertWire.TryParseSeverity(o.Severity, out severity))
            {
                throw new SwitchboardStartupException($"{where}:Severity must be one of {AlertWire.SeverityList}; got '{o.Severity}'.");
            }

            Switchboard.Core.Commands.CommandAction? action = null;
            if (o.Action is { } a)
            {
                if (!Switchboard.Core.Commands.CommandWire.ActionTypes.Contains(a.Type) || !Switchboard.Core.Commands.CommandWire.TryParseType(a.Type, out var type))
                {
                    throw new SwitchboardStartupException($"{where}:Action:Type must be one of {string.Join(", ", Switchboard.Core.Commands.CommandWire.ActionTypes)}; got '{a.Type}'.");
                }

                action = new Switchboard.Core.Commands.CommandAction(type, a.Text);
            }

            var rule = new AlertRule
            {
                Id = o.Id ?? "",
                Name = o.Name ?? o.Id ?? "",
                Condition = condition.Value,
                Severity = severity.Value,
                Seconds = o.Seconds,
                Threshold = o.Threshold,
                Metric = o.Metric,
                WindowSeconds = o.WindowSeconds,
                Scope = o.Scope ?? AlertScopes.Session,
                Labels = new Dictionary<string, string>(o.Labels, StringComparer.Ordinal),
                Enabled = o.Enabled,
                Source = AlertRuleSources.Config,
                Action = action,
            };
            if (AlertRuleValidator.Validate(rule) is { } error)
            {
                throw new SwitchboardStartupException($"{where}: {error.Detail}");
            }

            if (rules.Any(r => r.Id == rule.Id))
            {
                throw new SwitchboardStartupException($"{where}: the id '{rule.Id}' is used by another rule; each rule needs its own id.");
            }

            rules.Add(rule);
        }

        Rules = rules;
    }

    public IReadOnlyList<AlertRule> Rules { get; }

    public AlertRule? Find(string id) => Rules.FirstOrDefault(r => r.Id == id);
}

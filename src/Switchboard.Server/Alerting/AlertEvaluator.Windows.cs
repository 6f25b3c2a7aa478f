using System.Globalization;
using Switchboard.Alerts;
using Switchboard.Events;
using Switchboard.Sessions;
using Switchboard.UsageRollups;

namespace Switchboard.Alerting;

/// <summary>
/// Sliding windows for <c>burn_rate</c> and <c>error_count</c>: per rule, per-minute sums of the cost, tokens and errors
/// of the sessions in its scope, kept as events are applied and, after a (re)start, seeded from the minute usage
/// rollups so a restart neither forgets the window nor counts an event twice.
/// </summary>
internal sealed partial class AlertEvaluator
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, WindowCounter> _windows = new(StringComparer.Ordinal);

    /// <summary>Drops windows of rules that are gone or changed, and seeds the new ones from the rollups.</summary>
    private async Task SyncWindowsAsync()
    {
        var now = _time.GetUtcNow();
        foreach (var id in _windows.Keys.Where(id => !_rules.Any(r => r.IsWindowed && r == _windows[id].Rule)).ToList())
        {
            _windows.Remove(id);
        }

        foreach (var rule in _rules.Where(r => r.IsWindowed && !_windows.ContainsKey(r.Id)))
        {
            var counter = new WindowCounter(rule);
            _windows[rule.Id] = counter;
            await SeedAsync(counter, now);
        }
    }

    /// <summary>
    /// The minute rollups answer for the whole fleet, or for one label a rollup is split by; other scopes start empty.
    /// Events up to the rollups' <c>as_of_seq</c> are then not counted again.
    /// </summary>
    private async Task SeedAsync(WindowCounter counter, DateTimeOffset now)
    {
        var rule = counter.Rule;
        string? key = null;
        List<string>? values = null;
        if (rule.Labels.Count == 1 && _groupBy.Contains(rule.Labels.First().Key))
        {
            key = rule.Labels.First().Key;
            values = [rule.Labels.First().Value];
        }
        else if (rule.Labels.Count > 0)
        {
            return;
        }

        try
        {
            var since = UsageBucket.Minute.Start(now - TimeSpan.FromSeconds(rule.WindowSeconds!.Value));
            var result = await _log.ReadUsageAsync(new UsageQuery
            {
                Bucket = UsageBucket.Minute, Since = since, Until = UsageBucket.Minute.Start(now) + Minute, GroupKey = key, GroupValues = values,
            }, _stopping.Token);
            foreach (var row in result.Rows)
            {
                counter.Add(row.Key.Start, row.Counters.CostUsd, row.Counters.TotalTokens, row.Counters.SessionsErrored);
            }

            counter.SeededThrough = result.AsOfSeq;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            AlertLog.MessageFailed(_logger, "seed " + rule.Id, ex);
        }
    }

    /// <summary>Adds a session event's usage and error to every window whose scope the session is in.</summary>
    private void CountInWindows(EventRecord e, Session? before, Session? after)
    {
        if (_windows.Count == 0 || after is null)
        {
            return;
        }

        var cost = after.CostUsd - (before?.CostUsd ?? 0);
        var tokens = after.TotalTokens - (before?.TotalTokens ?? 0);
        var errors = after.State == SessionState.Error && before?.State != SessionState.Error ? 1 : 0;
        if (cost == 0 && tokens == 0 && errors == 0)
        {
            return;
        }

        var minute = UsageBucket.Minute.Start(e.At);
        foreach (var counter in _windows.Values)
        {
            if (e.Seq > counter.SeededThrough && counter.Rule.InScope(after.Labels))
            {
                counter.Add(minute, cost, tokens, errors);
                _windowsChanged = true;
            }
        }
    }

    private void EvaluateWindows(DateTimeOffset now)
    {
        foreach (var rule in _rules)
        {
            if (!rule.IsWindowed)
            {
                continue;
            }

            var window = TimeSpan.FromSeconds(rule.WindowSeconds!.Value);
            var value = 0m;
            if (rule.Enabled && _windows.TryGetValue(rule.Id, out var counter))
            {
                counter.Prune(now - window);
                var (cost, tokens, errors) = counter.Sum();
                value = rule.Condition == AlertCondition.ErrorCount ? errors
                    : Math.Round((rule.Metric == "cost" ? cost : tokens) * 3600m / rule.WindowSeconds.Value, 6);
            }

            var desired = rule.Enabled && value >= rule.Threshold;
            Reconcile(rule.Id, Alert.FleetSubject, desired, () => NewAlert(rule, Alert.FleetSubject, null, value, WindowMessage(rule, window, value)),
                rule.Enabled ? "cleared" : "rule_disabled");
        }
    }

    private static string WindowMessage(AlertRule rule, TimeSpan window, decimal value) => rule.Condition == AlertCondition.ErrorCount
        ? $"{value} sessions of {Scope(rule)} entered error in the last {FormatWindow(window)} (threshold {Format(rule.Threshold)})."
        : $"{Scope(rule)} burns {Format(value)} {(rule.Metric == "cost" ? "USD" : "tokens")} per hour over the last {FormatWindow(window)} (threshold {Format(rule.Threshold)}).";

    /// <summary>When the oldest minute of any window leaves it: the value can only drop then.</summary>
    private DateTimeOffset NextWindowDeadline(DateTimeOffset now)
    {
        var next = DateTimeOffset.MaxValue;
        foreach (var counter in _windows.Values)
        {
            if (counter.Oldest is { } oldest)
            {
                var leaves = oldest + Minute + TimeSpan.FromSeconds(counter.Rule.WindowSeconds!.Value);
                if (leaves > now && leaves < next)
                {
                    next = leaves;
                }
            }
        }

        return next;
    }

    private static string FormatWindow(TimeSpan window) =>
        window.TotalHours >= 1 && window.TotalHours % 1 == 0 ? $"{window.TotalHours.ToString(CultureInfo.InvariantCulture)} h"
        : window.TotalMinutes % 1 == 0 ? $"{window.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min"
        : $"{window.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";

    /// <summary>Per-minute sums for one rule. A minute counts while any part of it is inside the window.</summary>
    private sealed class WindowCounter(AlertRule rule)
    {
        private readonly SortedDictionary<DateTimeOffset, (decimal Cost, long Tokens, long Errors)> _minutes = [];

        public AlertRule Rule { get; } = rule;

        /// <summary>Events up to this seq are in the seed from the rollups.</summary>
        public long SeededThrough { get; set; }

        public DateTimeOffset? Oldest => _minutes.Count == 0 ? null : _minutes.Keys.First();

        public void Add(DateTimeOffset minute, decimal cost, long tokens, long errors)
        {
            var (c, t, e) = _minutes.GetValueOrDefault(minute);
            _minutes[minute] = (c + cost, t + tokens, e + errors);
        }

        public void Prune(DateTimeOffset windowStart)
        {
            while (_minutes.Count > 0 && _minutes.Keys.First() + Minute <= windowStart)
            {
                _minutes.Remove(_minutes.Keys.First());
            }
        }

        public (decimal Cost, long Tokens, long Errors) Sum()
        {
            var total = (Cost: 0m, Tokens: 0L, Errors: 0L);
            foreach (var (c, t, e) in _minutes.Values)
            {
                total = (total.Cost + c, total.Tokens + t, total.Errors + e);
            }

            return total;
        }
    }
}

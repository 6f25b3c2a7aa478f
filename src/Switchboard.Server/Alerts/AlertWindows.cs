using System.Globalization;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Alerts;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.UsageRollups;

namespace Switchboard.Server.Alerts;

/// <summary>
/// Sliding windows for <c>burn_rate</c> and <c>error_count</c>: per rule, per-minute sums of the cost, tokens and errors
/// of the sessions in its scope, kept as events are applied and, after a (re)start, seeded from the minute usage
/// rollups so a restart neither forgets the window nor counts an event twice. Used on the evaluator's loop only.
/// </summary>
internal sealed class AlertWindows(ISessionStore log, IReadOnlySet<string> groupBy, TimeProvider time, ILogger logger)
{
    private readonly Dictionary<string, WindowCounter> _windows = new(StringComparer.Ordinal);

    /// <summary>A window took an event since the last <see cref="Evaluate"/>.</summary>
    public bool Changed { get; private set; }

    public void Clear() => _windows.Clear();

    /// <summary>Drops windows of rules that are gone or changed, and seeds the new ones from the rollups.</summary>
    public async Task SyncAsync(IReadOnlyList<AlertRule> rules, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var id in _windows.Keys.Where(id => !rules.Any(r => r.IsWindowed && r == _windows[id].Rule)).ToList())
        {
            _windows.Remove(id);
        }

        foreach (var rule in rules.Where(r => r.IsWindowed && !_windows.ContainsKey(r.Id)))
        {
            var counter = new WindowCounter(rule);
            _windows[rule.Id] = counter;
            await SeedAsync(counter, now, ct);
        }
    }

    /// <summary>Adds a session event's usage and error to every window whose scope the session is in.</summary>
    public void Count(EventRecord e, Session? before, Session? after)
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
                Changed = true;
            }
        }
    }

    public void Evaluate(IReadOnlyList<AlertRule> rules, DateTimeOffset now, AlertWrites writes)
    {
        Changed = false;
        foreach (var rule in rules)
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
            writes.Reconcile(rule.Id, Alert.FleetSubject, desired,
                () => AlertConditions.NewAlert(rule, Alert.FleetSubject, null, value, Message(rule, window, value)), rule.Action,
                rule.Enabled ? "cleared" : "rule_disabled");
        }
    }

    /// <summary>When the oldest minute of any window leaves it: the value can only drop then.</summary>
    public DateTimeOffset NextDeadline(DateTimeOffset now)
    {
        var next = DateTimeOffset.MaxValue;
        foreach (var counter in _windows.Values)
        {
            if (counter.Oldest is { } oldest)
            {
                var leaves = oldest + WindowCounter.Minute + TimeSpan.FromSeconds(counter.Rule.WindowSeconds!.Value);
                if (leaves > now && leaves < next)
                {
                    next = leaves;
                }
            }
        }

        return next;
    }

    /// <summary>
    /// The minute rollups answer for the whole fleet, or for one label a rollup is split by; other scopes start empty.
    /// Events up to the rollups' <c>as_of_seq</c> are then not counted again.
    /// </summary>
    private async Task SeedAsync(WindowCounter counter, DateTimeOffset now, CancellationToken ct)
    {
        var rule = counter.Rule;
        string? key = null;
        List<string>? values = null;
        if (rule.Labels.Count == 1 && groupBy.Contains(rule.Labels.First().Key))
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
            var result = await log.ReadUsageAsync(new UsageQuery
            {
                Bucket = UsageBucket.Minute, Since = since, Until = UsageBucket.Minute.Start(now) + WindowCounter.Minute, GroupKey = key, GroupValues = values,
            }, ct);
            foreach (var row in result.Rows)
            {
                counter.Add(row.Key.Start, row.Counters.CostUsd, row.Counters.TotalTokens, row.Counters.SessionsErrored);
            }

            counter.SeededThrough = result.AsOfSeq;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            AlertLog.MessageFailed(logger, "seed " + rule.Id, ex);
        }
    }

    private static string Message(AlertRule rule, TimeSpan window, decimal value) => rule.Condition == AlertCondition.ErrorCount
        ? $"{value} sessions of {AlertConditions.Scope(rule)} entered error in the last {FormatWindow(window)} (threshold {AlertConditions.Format(rule.Threshold)})."
        : $"{AlertConditions.Scope(rule)} burns {AlertConditions.Format(value)} {(rule.Metric == "cost" ? "USD" : "tokens")} per hour over the last {FormatWindow(window)} (threshold {AlertConditions.Format(rule.Threshold)}).";

    private static string FormatWindow(TimeSpan window) =>
        window.TotalHours >= 1 && window.TotalHours % 1 == 0 ? $"{window.TotalHours.ToString(CultureInfo.InvariantCulture)} h"
        : window.TotalMinutes % 1 == 0 ? $"{window.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min"
        : $"{window.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
}

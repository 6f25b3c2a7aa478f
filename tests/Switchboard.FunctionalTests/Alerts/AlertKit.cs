using System.Text.Json;
using Switchboard.Core.Storage;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Alerts.Options;
using Switchboard.Server.Alerts;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Alerts;

/// <summary>Helpers for alert tests: wait for the evaluator, read the alert events of a rule from the log.</summary>
internal static class AlertKit
{
    public static AlertRuleOptions Rule(string id, string condition, int? seconds = null, decimal? threshold = null, string severity = "warning",
        params string[] labels)
    {
        var rule = new AlertRuleOptions { Id = id, Name = id + " rule", Condition = condition, Seconds = seconds, Threshold = threshold, Severity = severity };
        foreach (var pair in labels)
        {
            rule.Labels[pair.Split('=')[0]] = pair.Split('=')[1];
        }

        return rule;
    }

    /// <summary>Waits until the evaluator has evaluated the log head and has no alert write pending.</summary>
    public static async Task SettleAsync(this SwitchboardServer server)
    {
        var evaluator = server.Get<AlertEvaluator>();
        var store = server.Get<ISessionStore>();
        await TestTimeouts.Eventually(async () =>
        {
            var head = (await store.GetLogBoundsAsync(CancellationToken.None)).HeadSeq;
            return evaluator.EvaluatedThrough >= head && evaluator.IsIdle;
        }, "the alert evaluator catches up with the log");
    }

    /// <summary>The alert events of <paramref name="ruleId"/> in the log, as "type subject" strings.</summary>
    public static async Task<List<string>> HistoryAsync(this SwitchboardServer server, string ruleId) =>
        (await server.Http.EventsAsync())
            .Where(e => e.Str("type").StartsWith("alert_", StringComparison.Ordinal) && Alert(e).Str("rule_id") == ruleId)
            .Select(e => $"{e.Str("type")} {Alert(e).Str("subject")}")
            .ToList();

    /// <summary>Waits for the rule's history to equal <paramref name="expected"/>, then checks it stays so once the evaluator settles.</summary>
    public static async Task ExpectHistoryAsync(this SwitchboardServer server, string ruleId, params string[] expected)
    {
        List<string> history = [];
        try
        {
            await TestTimeouts.Eventually(async () => (history = await server.HistoryAsync(ruleId)).SequenceEqual(expected),
                $"alert history of {ruleId} to be [{string.Join("; ", expected)}]");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; it is [{string.Join("; ", history)}]. Alert log:\n{string.Join("\n", server.Logs.Entries.Where(e => e.Category.Contains("Alert", StringComparison.Ordinal)).Select(e => e.Message))}", ex);
        }

        await server.SettleAsync();
        (await server.HistoryAsync(ruleId)).ShouldBe(expected);
    }

    public static JsonElement Alert(JsonElement e) => e.GetProperty("data").GetProperty("alert");
}

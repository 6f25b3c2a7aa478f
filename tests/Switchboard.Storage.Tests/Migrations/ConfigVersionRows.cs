using System.Text;
using Switchboard.Core.Alerts;
using Switchboard.Core.Storage.Sql;
using Switchboard.Core.Storage.Sql.Migrations;
using Switchboard.Core.Webhooks;

namespace Switchboard.Storage.Tests.Migrations;

/// <summary>A webhook and an alert rule as a database from before the configuration versions (migration 3) holds them.</summary>
internal static class ConfigVersionRows
{
    /// <summary>The migrations before the one that adds the version columns.</summary>
    public static Migration[] Before(Migration[] all) => [.. all.TakeWhile(m => m.Name != "config_versions")];

    /// <summary>The rows, with the columns those releases had.</summary>
    public static string Insert(SqlDialect sql)
    {
        var hook = WebhookJson.ConfigToText(new WebhookEndpoint { Id = "old-hook", Url = "http://127.0.0.1:9/", Secret = "0123456789abcdef" });
        var rule = Encoding.UTF8.GetString(AlertJson.ToBytes(new AlertRule { Id = "old-rule", Name = "old", Condition = AlertCondition.SessionError }));
        return $"INSERT INTO {sql.Table("webhooks")}(id, config, cursor, state) VALUES ('old-hook', '{hook}', 0, 'active');" +
            $"INSERT INTO {sql.Table("alert_rules")}(id, data) VALUES ('old-rule', '{rule}');";
    }

    /// <summary>After the migration both are at version 1, and a write expecting it lands.</summary>
    public static async Task CheckAsync(SqlStore store)
    {
        var hook = (await store.GetWebhookAsync("old-hook", CancellationToken.None)).ShouldNotBeNull();
        hook.Version.ShouldBe(1);
        (await store.UpdateWebhookAsync(hook with { Enabled = false }, expectedVersion: 1, CancellationToken.None))!.Version.ShouldBe(2);

        var rule = (await store.ListAlertRulesAsync(CancellationToken.None)).ShouldHaveSingleItem();
        rule.Version.ShouldBe(1);
        (await store.PutAlertRuleAsync(rule with { Name = "renamed" }, expectedVersion: 1, CancellationToken.None))!.Version.ShouldBe(2);
    }
}

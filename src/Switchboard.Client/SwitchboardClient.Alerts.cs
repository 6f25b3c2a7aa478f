using System.Globalization;
using System.Runtime.CompilerServices;
using Switchboard.Client.Http;
using Switchboard.Client.Json;

namespace Switchboard.Client;

/// <summary>Alert rules, alerts and webhook endpoints.</summary>
public sealed partial class SwitchboardClient
{
    /// <summary>The topic that pushes the endpoint list.</summary>
    private const string WebhooksTopic = "webhooks";

    /// <summary>Every rule, from configuration and stored (<c>GET /api/alert-rules</c>).</summary>
    public Task<IReadOnlyList<AlertRule>> ListAlertRulesAsync(CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Get, "api/alert-rules", null, RetryMode.Always,
            e => (IReadOnlyList<AlertRule>)[.. e.GetProperty("rules").EnumerateArray().Select(WireJson.ReadAlertRule)], cancellationToken);

    /// <summary>One rule, from configuration or stored, or null (<c>GET /api/alert-rules/{id}</c>).</summary>
    public Task<AlertRule?> GetAlertRuleAsync(string id, CancellationToken cancellationToken = default) =>
        OrNullWhenMissing(_api.SendAsync(HttpMethod.Get, "api/alert-rules/" + Uri.EscapeDataString(id), null, RetryMode.Always, WireJson.ReadAlertRule, cancellationToken));

    /// <summary>Creates a rule (<c>POST /api/alert-rules</c>); a 409 when the id is taken, a 400 naming a bad field.</summary>
    public Task<AlertRule> CreateAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Post, "api/alert-rules", WireJson.AlertRuleBody(rule, withId: true), rule.Id is null ? RetryMode.IfNotApplied : RetryMode.Always,
            WireJson.ReadAlertRule, cancellationToken);

    /// <summary>
    /// Creates or replaces the rule <paramref name="id"/> (<c>PUT /api/alert-rules/{id}</c>). With
    /// <paramref name="expectedVersion"/> (the <see cref="AlertRule.Version"/> read) it only replaces a rule still at that
    /// version; otherwise the server refuses with 409 <c>version_conflict</c> (404 when there is no rule), and only
    /// failures that provably did not apply are retried, since an attempt that landed makes its retry a conflict.
    /// </summary>
    /// <exception cref="SwitchboardApiException">Refused: a stale version or a configured rule (409), invalid field (400).</exception>
    public Task<AlertRule> PutAlertRuleAsync(string id, AlertRule rule, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Put, "api/alert-rules/" + Uri.EscapeDataString(id), WireJson.AlertRuleBody(rule, withId: false, expectedVersion),
            RetryWhenUnguarded(expectedVersion), WireJson.ReadAlertRule, cancellationToken);

    /// <summary>A PUT without an expected version is idempotent; with one, a retry of an attempt that landed would be a conflict.</summary>
    private static RetryMode RetryWhenUnguarded(long? expectedVersion) => expectedVersion is null ? RetryMode.Always : RetryMode.IfNotApplied;

    /// <summary>Deletes a rule; false when there was none. Its open alerts are resolved (<c>rule_deleted</c>).</summary>
    public async Task<bool> DeleteAlertRuleAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _api.SendAsync(HttpMethod.Delete, "api/alert-rules/" + Uri.EscapeDataString(id), null, RetryMode.Always, _ => true, cancellationToken).ConfigureAwait(false);
        }
        catch (SwitchboardApiException ex) when (ex.StatusCode == 404)
        {
            return false;
        }
    }

    /// <summary>Alerts, newest first (<c>GET /api/alerts</c>).</summary>
    public Task<AlertList> ListAlertsAsync(AlertStateFilter state = AlertStateFilter.Open, int? limit = null, CancellationToken cancellationToken = default)
    {
        var path = "api/alerts?state=" + state.ToString().ToLowerInvariant() + (limit is { } l ? "&limit=" + l.ToString(CultureInfo.InvariantCulture) : "");
        return _api.SendAsync(HttpMethod.Get, path, null, RetryMode.Always,
            e => new AlertList([.. e.GetProperty("alerts").EnumerateArray().Select(WireJson.ReadAlert)], WireJson.Long(e, "as_of_seq")), cancellationToken);
    }

    /// <summary>One alert, or null.</summary>
    public Task<Alert?> GetAlertAsync(string id, CancellationToken cancellationToken = default) =>
        OrNullWhenMissing(_api.SendAsync(HttpMethod.Get, "api/alerts/" + Uri.EscapeDataString(id), null, RetryMode.Always, WireJson.ReadAlert, cancellationToken));

    /// <summary>Acknowledges an alert with who and a note (<c>POST /api/alerts/{id}/ack</c>); it stays open until it clears.</summary>
    public Task<Alert> AcknowledgeAlertAsync(string id, string by, string? note = null, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Post, $"api/alerts/{Uri.EscapeDataString(id)}/ack", RequestJson.Object(w =>
        {
            w.WriteString("by", by);
            if (note is not null)
            {
                w.WriteString("note", note);
            }
        }), RetryMode.IfNotApplied, WireJson.ReadAlert, cancellationToken);

    /// <summary>Every webhook endpoint with its delivery state (<c>GET /api/webhooks</c>).</summary>
    public Task<IReadOnlyList<Webhook>> ListWebhooksAsync(CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Get, "api/webhooks", null, RetryMode.Always, WireJson.ReadWebhookList, cancellationToken);

    /// <summary>
    /// Follows every webhook endpoint's delivery state live (the <c>webhooks</c> topic): yields the whole list, as
    /// <see cref="ListWebhooksAsync"/> returns it (no secrets), once the join goes live and again whenever anything in it
    /// changes (an endpoint created, changed or removed, a delivery attempt, the lag). Each list replaces the one before.
    /// It runs on <see cref="SubscribeAsync"/>, so it reconnects on its own, and yields the current list again after a rejoin.
    /// </summary>
    /// <param name="options">Heartbeat, join timeout and reconnect settings. <see cref="SubscribeOptions.Labels"/> and
    /// <see cref="SubscribeOptions.Subtree"/> do not apply to this topic (the server refuses the join);
    /// <see cref="SubscribeOptions.SnapshotLimit"/> is ignored.</param>
    /// <param name="cancellationToken">Stops following.</param>
    /// <exception cref="SwitchboardSubscriptionException">The join was refused: the topic is fleet-wide, so a connection scoped by
    /// labels cannot join it; or a subscriber token that does not cover <c>webhooks</c>, or credentials the server did not accept.</exception>
    public async IAsyncEnumerable<IReadOnlyList<Webhook>> FollowWebhooksAsync(SubscribeOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in SubscribeAsync(WebhooksTopic, null, options, cancellationToken).ConfigureAwait(false))
        {
            // The join's SnapshotReset (or Resumed) carries no list; the push that follows it does.
            if (item is WebhooksEvent pushed)
            {
                yield return pushed.Webhooks;
            }
        }
    }

    /// <summary>One webhook endpoint, or null.</summary>
    public Task<Webhook?> GetWebhookAsync(string id, CancellationToken cancellationToken = default) =>
        OrNullWhenMissing(_api.SendAsync(HttpMethod.Get, "api/webhooks/" + Uri.EscapeDataString(id), null, RetryMode.Always, WireJson.ReadWebhook, cancellationToken));

    /// <summary>Creates an endpoint (<c>POST /api/webhooks</c>); the answer is the only one that carries <see cref="Webhook.Secret"/>.</summary>
    public Task<Webhook> CreateWebhookAsync(WebhookSpec spec, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Post, "api/webhooks", WireJson.WebhookBody(spec), spec.Id is null ? RetryMode.IfNotApplied : RetryMode.Always, WireJson.ReadWebhook, cancellationToken);

    /// <summary>
    /// Replaces endpoint <paramref name="id"/>'s settings with <paramref name="spec"/> (<c>PUT /api/webhooks/{id}</c>), or
    /// null when there is none. Its secret stays unless the spec sets one; its delivery position and state stay. A spec
    /// whose <see cref="WebhookSpec.Id"/> differs from <paramref name="id"/> is refused (400). With
    /// <paramref name="expectedVersion"/> (the <see cref="Webhook.Version"/> read) it replaces only an endpoint still at
    /// that version, so an edit made since the read is not overwritten.
    /// </summary>
    /// <exception cref="SwitchboardApiException">Code <c>version_conflict</c> (409): the endpoint changed since it was read; read it again and retry.</exception>
    public Task<Webhook?> ReplaceWebhookAsync(string id, WebhookSpec spec, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
        OrNullWhenMissing(_api.SendAsync(HttpMethod.Put, "api/webhooks/" + Uri.EscapeDataString(id), WireJson.WebhookBody(spec, expectedVersion),
            RetryWhenUnguarded(expectedVersion), WireJson.ReadWebhook, cancellationToken));

    /// <summary>Deletes an endpoint; false when there was none.</summary>
    public async Task<bool> DeleteWebhookAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _api.SendAsync(HttpMethod.Delete, "api/webhooks/" + Uri.EscapeDataString(id), null, RetryMode.Always, _ => true, cancellationToken).ConfigureAwait(false);
        }
        catch (SwitchboardApiException ex) when (ex.StatusCode == 404)
        {
            return false;
        }
    }

    private static async Task<T?> OrNullWhenMissing<T>(Task<T> request)
        where T : class
    {
        try
        {
            return await request.ConfigureAwait(false);
        }
        catch (SwitchboardApiException ex) when (ex.StatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>Delivers again from <paramref name="fromSeq"/> and makes a failing endpoint active (<c>POST /api/webhooks/{id}/replay</c>).</summary>
    public Task<Webhook> ReplayWebhookAsync(string id, long fromSeq, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Post, $"api/webhooks/{Uri.EscapeDataString(id)}/replay", RequestJson.Object(w => w.WriteNumber("from_seq", fromSeq)),
            RetryMode.Always, WireJson.ReadWebhook, cancellationToken);
}

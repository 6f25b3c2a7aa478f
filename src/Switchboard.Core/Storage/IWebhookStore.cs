using Switchboard.Core.Webhooks;

namespace Switchboard.Core.Storage;

/// <summary>Webhook endpoints with their durable delivery cursor, and a lease so that one node at a time delivers each.</summary>
internal interface IWebhookStore
{
    /// <summary>Every endpoint, by id.</summary>
    Task<IReadOnlyList<WebhookEndpoint>> ListWebhooksAsync(CancellationToken cancellationToken);

    /// <summary>One endpoint, or null.</summary>
    Task<WebhookEndpoint?> GetWebhookAsync(string id, CancellationToken cancellationToken);

    /// <summary>Creates an endpoint; false when the id is taken.</summary>
    Task<bool> CreateWebhookAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces an endpoint's configuration, keeping its delivery state, in one statement: only while the endpoint is at
    /// <paramref name="expectedVersion"/> when one is given. Its version goes up by one when the configuration differs.
    /// Returns the endpoint as this write left it, or null when no row matched (there is none, or it is at another version).
    /// </summary>
    Task<WebhookEndpoint?> UpdateWebhookAsync(WebhookEndpoint endpoint, long? expectedVersion, CancellationToken cancellationToken);

    /// <summary>Deletes an endpoint; false when there was none.</summary>
    Task<bool> DeleteWebhookAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the cursor to <paramref name="cursor"/> and makes the endpoint active again (an operator's replay). Returns the
    /// endpoint as this write left it (a dispatcher may move the cursor on at once), or null when there is none.
    /// </summary>
    Task<WebhookEndpoint?> ResetWebhookCursorAsync(string id, long cursor, CancellationToken cancellationToken);

    /// <summary>
    /// Takes or renews the lease of <paramref name="id"/> for <paramref name="node"/> until <paramref name="until"/>, when
    /// nobody else holds an unexpired one. Returns the endpoint when this node holds it, null otherwise.
    /// </summary>
    Task<WebhookEndpoint?> AcquireWebhookLeaseAsync(string id, string node, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>
    /// Records progress, only while <paramref name="node"/> holds the lease and the cursor is still
    /// <paramref name="expectedCursor"/> (an operator's replay moves it); false otherwise.
    /// </summary>
    Task<bool> SaveWebhookProgressAsync(string id, string node, long expectedCursor, WebhookProgress progress, CancellationToken cancellationToken);

    /// <summary>Gives the lease up (a graceful stop), so another node takes over at once.</summary>
    Task ReleaseWebhookLeaseAsync(string id, string node, CancellationToken cancellationToken);
}

using Switchboard.Core.Hosting;

namespace Switchboard.Server.Webhooks.Options;

/// <summary>Webhook delivery (<c>Switchboard:Webhooks</c>). See docs/alerts.md.</summary>
public sealed class WebhookOptions
{
    /// <summary>False stops delivery on this node (endpoints can still be managed). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The most endpoints there may be; past it a create is 409 <c>too_many_webhooks</c>. Each endpoint has a worker on
    /// every node, and <c>GET /api/webhooks</c> and the <c>webhooks</c> topic carry them all at once. Default 100.
    /// </summary>
    public int MaxEndpoints { get; set; } = SwitchboardDefaults.WebhookMaxEndpoints;

    /// <summary>Failed attempts in a row for one event before the endpoint goes <c>failing</c>. Default 10.</summary>
    public int MaxAttempts { get; set; } = SwitchboardDefaults.WebhookMaxAttempts;

    /// <summary>The wait after the first failure; it doubles with each failure in a row, with ±50% jitter. Default 1 s.</summary>
    public TimeSpan InitialBackoff { get; set; } = SwitchboardDefaults.WebhookInitialBackoff;

    /// <summary>The longest wait between attempts. Default 5 min.</summary>
    public TimeSpan MaxBackoff { get; set; } = SwitchboardDefaults.WebhookMaxBackoff;

    /// <summary>How long one POST may take before it counts as failed. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = SwitchboardDefaults.WebhookRequestTimeout;

    /// <summary>How long a node's claim on an endpoint lasts without renewal; another node takes over after it. Default 15 s.</summary>
    public TimeSpan LeaseDuration { get; set; } = SwitchboardDefaults.WebhookLeaseDuration;

    /// <summary>How often each node looks for new or changed endpoints and for new events it was not told about. Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = SwitchboardDefaults.WebhookPollInterval;

    /// <summary>Allows endpoints whose URL points at this server itself (loopback, its own port). Default false.</summary>
    public bool AllowSelf { get; set; }
}

using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live;

/// <summary>The webhooks' state changed: take the latest list <see cref="WebhooksHandler"/> holds. One instance.</summary>
internal sealed record WebhookStatusTick : LiveMessage
{
    public static WebhookStatusTick Instance { get; } = new();
}

/// <summary>
/// The <c>webhooks</c> topic: every endpoint's delivery state, as <c>GET /api/webhooks</c> lists it, pushed whole as a
/// <c>webhooks</c> message when it changes (handed over by its <see cref="IWebhookStatusSource"/>, which reads it while the
/// topic has followers), and to each joiner when it goes live. A push replaces a waiting one, so a slow follower gets the newest.
/// </summary>
internal sealed class WebhooksHandler : LiveHandler
{
    /// <summary>The push's event name, and its envelope's <c>type</c>.</summary>
    public const string Type = "webhooks";

    private readonly LiveState _state;
    private readonly LiveInbox _inbox;
    private readonly IWebhookStatusSource? _source; // none: the topic is joined, and nothing is pushed
    private byte[]? _pending; // the latest list not yet taken by the loop
    private OutboundFrame? _current; // the last push, for joiners; null while nobody follows
    private bool _followed;

    public WebhooksHandler(LiveState state, IWebhookStatusSource? source, LiveInbox inbox)
    {
        _state = state;
        _inbox = inbox;
        _source = source;
    }

    public override void Register(MessageRoutes routes) => routes.On<WebhookStatusTick>(_ => Apply());

    public override void Started() => _source?.Start(() => _state.Published.HeadSeq, Deliver);

    /// <summary>A subscription went live: it gets the current state, when there is one yet (else the first read brings it).</summary>
    public void Joined(Subscription sub)
    {
        if (sub.Route.Kind == TopicKind.Webhooks && _current is not null)
        {
            sub.Deliver(_current, _state.Wake);
        }
    }

    /// <summary>Tells the source when the topic gains its first follower or loses its last.</summary>
    public override void EndPass(LivePass pass)
    {
        var followed = _state.Topics.Webhooks.Count > 0;
        if (followed == _followed)
        {
            return;
        }

        _followed = followed;
        if (!followed)
        {
            _current = null; // not kept up to date while nobody follows
        }

        _source?.Followed(followed);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_source is not null)
        {
            await _source.StopAsync();
        }
    }

    /// <summary>
    /// On the source's loop: keeps the latest list and, when none was waiting, asks the loop to take it; so the inbox holds
    /// at most one such message however long the loop is busy.
    /// </summary>
    private void Deliver(byte[] list)
    {
        if (Interlocked.Exchange(ref _pending, list) is null)
        {
            _inbox.TryWrite(WebhookStatusTick.Instance);
        }
    }

    private void Apply()
    {
        if (Interlocked.Exchange(ref _pending, null) is not { } list || !_followed)
        {
            return;
        }

        var now = _state.Time.GetUtcNow();
        var envelope = FrameEncoder.DerivedEnvelope(Type, w => w.WriteRawValue(list, skipInputValidation: true), _state.Projection.Epoch, now);
        _current = FrameEncoder.Broadcast(TopicRoute.WebhooksTopic, Type, envelope, 0);
        _state.Broadcast(_state.Topics.Webhooks, _current);
    }
}

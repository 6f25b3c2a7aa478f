using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Server.Live;

namespace Switchboard.Server.Webhooks;

/// <summary>
/// The source of the <c>webhooks</c> topic (<see cref="IWebhookStatusSource"/>): while someone on this node follows it,
/// reads every endpoint's delivery state from the store each <see cref="Interval"/> (the store is shared, so an endpoint
/// another node delivers shows as well) and hands the live loop the list as <c>GET /api/webhooks</c> writes it, whenever
/// it differs from the last one handed over. The lag is part of it, so a busy fleet with an endpoint behind gets at most one push an interval. Nothing is
/// read while nobody follows. It owns the last list; the live loop only says whether the topic has followers (never
/// waiting) and takes lists. A failed read is logged once, retried each interval, and its recovery logged. Its loop is
/// a <see cref="SupervisedLoop"/>.
/// </summary>
internal sealed class WebhookStatusFeed(ISessionStore store, TimeProvider time, ILogger<WebhookStatusFeed> logger, BackgroundLoops? loops = null)
    : IWebhookStatusSource
{
    /// <summary>How often the state is read while followed: the longest a change waits to be pushed.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly IWebhookStore _store = store as IWebhookStore
        ?? throw new InvalidOperationException("The configured store does not keep webhooks (it must implement IWebhookStore).");
    private readonly SemaphoreSlim _signal = new(0, 1);
    private volatile bool _followed;
    private int _resend; // 1: hand over the next list even if unchanged
    private byte[]? _last; // owned by the loop
    private Func<long> _head = () => 0;
    private Action<byte[]> _deliver = _ => { };
    private SupervisedLoop? _loop;

    /// <summary>The topic gained its first follower (true) or lost its last (called on the live loop; never blocks).</summary>
    public void Followed(bool followed)
    {
        _followed = followed;
        if (followed)
        {
            // The live loop dropped the list when its last follower left: the next one goes out even if unchanged.
            Interlocked.Exchange(ref _resend, 1);
        }

        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the loop reads the flags when it wakes.
        }
    }

    public void Start(Func<long> head, Action<byte[]> deliver)
    {
        _head = head;
        _deliver = deliver;
        _loop = new SupervisedLoop("webhook-status", RunAsync, time, loops: loops);
        _loop.Start();
    }

    public Task StopAsync() => _loop?.StopAsync() ?? Task.CompletedTask;

    private async Task RunAsync(CancellationToken token)
    {
        var failing = false;
        while (!token.IsCancellationRequested)
        {
            if (!_followed)
            {
                _last = null;
            }
            else
            {
                try
                {
                    await ReadAsync(token);
                    if (failing)
                    {
                        failing = false;
                        WebhookLog.StatusRecovered(logger);
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    if (!failing)
                    {
                        failing = true;
                        WebhookLog.StatusFailed(logger, ex);
                    }
                }
            }

            try
            {
                await _signal.WaitAsync(_followed ? Interval : Timeout.InfiniteTimeSpan, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReadAsync(CancellationToken token)
    {
        var endpoints = await _store.ListWebhooksAsync(token);
        var buffer = new ArrayBufferWriter<byte>(256 + endpoints.Count * 512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            WebhookStatusJson.WriteList(w, endpoints, _head(), time.GetUtcNow());
        }

        if (Interlocked.Exchange(ref _resend, 0) == 1 || _last is null || !buffer.WrittenSpan.SequenceEqual(_last))
        {
            _last = buffer.WrittenSpan.ToArray();
            _deliver(_last);
        }
    }
}

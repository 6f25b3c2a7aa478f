using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Events;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Core.Webhooks;
using Switchboard.Server.Webhooks.Options;

namespace Switchboard.Server.Webhooks;

/// <summary>
/// Delivers one endpoint: claims its lease, reads the log after its cursor, POSTs each matching event in seq order and
/// moves the durable cursor after each 2xx. A failure is retried with exponential backoff and jitter; after
/// <see cref="WebhookOptions.MaxAttempts"/> in a row the endpoint goes <c>failing</c> and keeps its cursor. One worker per
/// endpoint per node, and the lease lets only one node deliver at a time; the worker owns its own state and its loop, a
/// <see cref="SupervisedLoop"/> named <c>webhook:{id}</c>: a pass that fails (the store unreachable) starts it again,
/// without its lease, after about a poll interval.
/// </summary>
internal sealed class WebhookWorker(string id, WebhookDispatcher owner, HttpClient http, ILogger logger, BackgroundLoops? loops = null)
{
    private SupervisedLoop? _loop;

    public string Id { get; } = id;

    /// <summary>The endpoint as this node last read it, for metrics and GET.</summary>
    public WebhookEndpoint? Last { get; private set; }

    public void Start()
    {
        var retry = owner.Options.PollInterval;
        _loop = new SupervisedLoop("webhook:" + Id, RunAsync, owner.Time, new LoopPolicy { MinDelay = retry, MaxDelay = retry }, loops,
            failure => WebhookLog.LoopFailed(logger, Id, failure.Error));
        _loop.Start();
    }

    public async Task StopAsync()
    {
        if (_loop is not null)
        {
            await _loop.StopAsync();
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var claimed = false;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var generation = owner.Generation;
                var wait = await PassAsync(claimed, ct);
                claimed = wait.Claimed;
                await owner.WaitForEventsAsync(generation, wait.Delay, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }

        if (claimed)
        {
            try
            {
                await owner.Store.ReleaseWebhookLeaseAsync(Id, owner.NodeId, CancellationToken.None);
            }
            catch (Exception ex) when (ex is StoreUnavailableException or ObjectDisposedException)
            {
                // The lease then simply expires.
            }
        }
    }

    /// <summary>One pass: claim or renew, deliver what is due; returns how long to wait before the next pass.</summary>
    private async Task<(bool Claimed, TimeSpan Delay)> PassAsync(bool wasClaimed, CancellationToken ct)
    {
        var options = owner.Options;
        var now = owner.Time.GetUtcNow();
        var endpoint = await owner.Store.AcquireWebhookLeaseAsync(Id, owner.NodeId, now, now + options.LeaseDuration, ct);
        if (endpoint is null)
        {
            if (wasClaimed)
            {
                WebhookLog.LostLease(logger, Id);
            }

            Last = await owner.Store.GetWebhookAsync(Id, ct);
            return (false, options.LeaseDuration / 3);
        }

        if (!wasClaimed)
        {
            WebhookLog.Claimed(logger, Id, endpoint.Cursor);
        }

        Last = endpoint;
        if (!endpoint.Enabled || endpoint.State == WebhookStates.Failing)
        {
            return (true, options.LeaseDuration / 3);
        }

        // A failed event waits out its backoff (in chunks, renewing the lease) before it is tried again.
        if (endpoint.ConsecutiveFailures > 0 && endpoint.LastAttemptAt is { } last && Backoff(endpoint.ConsecutiveFailures) is var backoff
            && last + backoff > now)
        {
            return (true, Min(last + backoff - now, options.LeaseDuration / 3));
        }

        var started = owner.Time.GetTimestamp();
        var renewAfter = options.LeaseDuration / 3;
        var events = await owner.Log.ReadEventsAsync(new EventQuery { AfterSeq = endpoint.Cursor, Limit = 200 }, ct);
        var state = endpoint;
        var skipped = state.Cursor; // events filtered out, saved with the next delivery or at the end
        foreach (var e in events)
        {
            if (owner.Time.GetElapsedTime(started) > renewAfter)
            {
                break; // renew the lease before going on
            }

            if (!WebhookBody.Matches(state, e))
            {
                skipped = e.Seq;
                continue;
            }

            if (skipped > state.Cursor)
            {
                if (await SaveAsync(state, state with { Cursor = skipped }, ct) is not { } moved)
                {
                    return (true, TimeSpan.Zero);
                }

                state = moved;
            }

            var (ok, error) = await PostAsync(state, e, ct);
            var attemptAt = owner.Time.GetUtcNow();
            owner.CountAttempt(ok);
            var next = ok
                ? state with { Cursor = e.Seq, Attempts = state.Attempts + 1, ConsecutiveFailures = 0, LastAttemptAt = attemptAt }
                : state with
                {
                    Attempts = state.Attempts + 1,
                    Failures = state.Failures + 1,
                    ConsecutiveFailures = state.ConsecutiveFailures + 1,
                    LastError = error,
                    LastAttemptAt = attemptAt,
                };
            if (!ok && next.ConsecutiveFailures >= options.MaxAttempts)
            {
                next = next with { State = WebhookStates.Failing };
                WebhookLog.Failing(logger, Id, e.Seq, next.ConsecutiveFailures);
            }
            else if (!ok)
            {
                WebhookLog.AttemptFailed(logger, Id, e.Seq, error!, next.ConsecutiveFailures, options.MaxAttempts,
                    (long)Backoff(next.ConsecutiveFailures).TotalMilliseconds);
            }

            if (await SaveAsync(state, next, ct) is not { } saved || !ok)
            {
                return (true, TimeSpan.Zero);
            }

            state = saved;
        }

        if (skipped > state.Cursor)
        {
            if (await SaveAsync(state, state with { Cursor = skipped }, ct) is not { } moved)
            {
                return (true, TimeSpan.Zero);
            }

            state = moved;
        }

        Last = state;
        return (true, events.Count == 200 || owner.Time.GetElapsedTime(started) > renewAfter ? TimeSpan.Zero : options.PollInterval);
    }

    /// <summary>Saves progress fenced on the lease and the cursor; null when either moved (re-read on the next pass).</summary>
    private async Task<WebhookEndpoint?> SaveAsync(WebhookEndpoint from, WebhookEndpoint to, CancellationToken ct)
    {
        var saved = await owner.Store.SaveWebhookProgressAsync(Id, owner.NodeId, from.Cursor,
            new WebhookProgress(to.Cursor, to.State, to.Attempts, to.Failures, to.ConsecutiveFailures, to.LastError, to.LastAttemptAt), ct);
        if (saved)
        {
            Last = to;
        }

        return saved ? to : null;
    }

    private async Task<(bool Ok, string? Error)> PostAsync(WebhookEndpoint endpoint, EventRecord e, CancellationToken ct)
    {
        // A Slack message names the session as it is now; one read per message, which a person is to read anyway.
        var name = endpoint.Format == WebhookFormats.Slack && e.SessionId is { } sid ? (await owner.Log.GetSessionAsync(sid, ct))?.Name : null;
        var body = WebhookBody.For(endpoint, e, owner.Epoch, owner.PublicUrl, name);
        var timestamp = owner.Time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(endpoint.Secret, timestamp, body));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SeqHeader, e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.EventHeader, e.Type);
        request.Headers.TryAddWithoutValidation(WebhookSignature.EndpointHeader, endpoint.Id);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(owner.Options.RequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.IsSuccessStatusCode ? (true, null) : (false, $"HTTP {(int)response.StatusCode}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (false, $"no answer within {owner.Options.RequestTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            return (false, ex.HttpRequestError.ToString() + (ex.StatusCode is { } s ? $" {(int)s}" : ""));
        }
    }

    /// <summary>InitialBackoff × 2^(n−1), capped, with ±50% jitter.</summary>
    private TimeSpan Backoff(int failures)
    {
        var options = owner.Options;
        var baseMs = Math.Min(options.MaxBackoff.TotalMilliseconds, options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30)));
        // Deterministic per (endpoint, attempt), so the wait does not change between passes.
        var jitter = 0.5 + (HashCode.Combine(Id, failures) & 0xffff) / 65535.0;
        return TimeSpan.FromMilliseconds(baseMs * jitter);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
